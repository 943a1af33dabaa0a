/** The page frame: header (with the account and a logout form when signed in), messages. */
import { html, type SafeHtml } from './html.js';

export interface PageFrame {
  title: string;
  /** The signed-in account, if any. */
  email?: string | undefined;
  /** CSRF token for the forms of this page (logout included). */
  csrf?: string | undefined;
  notice?: string | undefined;
  error?: string | undefined;
}

export function page(frame: PageFrame, body: SafeHtml): string {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${frame.title} · printos cloud</title>
<link rel="stylesheet" href="/static/style.css">
</head>
<body>
<header>
<a href="/">printos cloud</a>
${
  frame.email && frame.csrf
    ? html`<form method="post" action="/logout"><span class="muted">${frame.email}</span>
<input type="hidden" name="_csrf" value="${frame.csrf}"> <button class="secondary" type="submit">Log out</button></form>`
    : ''
}
</header>
<main>
${frame.notice ? html`<p class="notice" role="status">${frame.notice}</p>` : ''}
${frame.error ? html`<p class="error" role="alert">${frame.error}</p>` : ''}
${body}
</main>
</body>
</html>
`.value;
}

export function csrfField(token: string): SafeHtml {
  return html`<input type="hidden" name="_csrf" value="${token}">`;
}
