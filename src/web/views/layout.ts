/** The page frame: header (navigation, the signed-in remote user), messages, body. */
import { type Html, html } from './html.js';

export interface Frame {
  title: string;
  /** CSRF token for the header's forms (remote sign-out). */
  csrf?: string | undefined;
  /** Show the navigation (the client's pages); off on the login screens. */
  nav?: boolean;
  /** The remote user signed in on screen 1, shown with a sign-out button. */
  remoteUser?: string | undefined;
  notice?: string | undefined;
  error?: string | undefined;
  /** Load the live-update script (the printers list). */
  live?: boolean;
}

export function page(frame: Frame, body: Html): string {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="same-origin">
<title>${frame.title} · printos</title>
<link rel="stylesheet" href="/static/style.css">
${
  frame.live
    ? html`<script src="/static/live.js" defer></script>
<noscript><meta http-equiv="refresh" content="10"></noscript>`
    : ''
}
</head>
<body>
<header>
<a class="brand" href="/">printos client</a>
${frame.nav ? navigation() : ''}
${frame.remoteUser && frame.csrf ? signOut(frame.remoteUser, frame.csrf) : ''}
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

function navigation(): Html {
  return html`<nav aria-label="Pages">
<a href="/">Printers</a>
<a href="/printers/add">Add a printer</a>
<a href="/settings">Settings</a>
<a href="/update">Update</a>
<a href="/report">Report a problem</a>
<a href="/logout">Log out</a>
</nav>`;
}

function signOut(user: string, csrf: string): Html {
  return html`<form method="post" action="/remote-logout">
<span class="who">Signed in as ${user}</span>
${csrfField(csrf)}<button type="submit">Sign out</button></form>`;
}

export function csrfField(token: string): Html {
  return html`<input type="hidden" name="_csrf" value="${token}">`;
}

/** A page with a title, a message and a link onwards. */
export function messagePage(
  title: string,
  message: string,
  link?: { href: string; text: string },
): string {
  return page(
    { title },
    html`<section class="narrow"><h1>${title}</h1><p>${message}</p>
${link ? html`<p><a class="button" href="${link.href}">${link.text}</a></p>` : ''}</section>`,
  );
}
