/** The account pages: sign-up, login, forgot password, reset password. */
import { html } from './html.js';
import { csrfField, page } from './layout.js';

export interface FormPage {
  csrf: string;
  error?: string | undefined;
  notice?: string | undefined;
  email?: string | undefined;
}

export function loginPage(p: FormPage): string {
  return page(
    { title: 'Log in', error: p.error, notice: p.notice },
    html`<section class="narrow"><h1>Log in</h1>
<form method="post" action="/login">${csrfField(p.csrf)}
<label for="email">Email</label><input id="email" name="email" type="email" autocomplete="username" required value="${p.email ?? ''}">
<label for="password">Password</label><input id="password" name="password" type="password" autocomplete="current-password" required>
<div class="actions"><button type="submit">Log in</button></div>
</form>
<p><a href="/forgot-password">Forgot your password?</a> · <a href="/signup">Sign up</a></p></section>`,
  );
}

export function signupPage(p: FormPage & { minLength: number }): string {
  return page(
    { title: 'Sign up', error: p.error },
    html`<section class="narrow"><h1>Create an account</h1>
<form method="post" action="/signup">${csrfField(p.csrf)}
<label for="email">Email</label><input id="email" name="email" type="email" autocomplete="username" required value="${p.email ?? ''}">
<label for="password">Password (at least ${p.minLength} characters)</label><input id="password" name="password" type="password" autocomplete="new-password" minlength="${p.minLength}" required>
<label for="password2">Password again</label><input id="password2" name="password2" type="password" autocomplete="new-password" minlength="${p.minLength}" required>
<div class="actions"><button type="submit">Sign up</button></div>
</form>
<p><a href="/login">I have an account</a></p></section>`,
  );
}

export function forgotPage(p: FormPage): string {
  return page(
    { title: 'Forgot password', error: p.error },
    html`<section class="narrow"><h1>Forgot your password?</h1>
<p>Enter the email of your account: you will get a link to choose a new password. It works once, for one hour.</p>
<form method="post" action="/forgot-password">${csrfField(p.csrf)}
<label for="email">Email</label><input id="email" name="email" type="email" autocomplete="username" required value="${p.email ?? ''}">
<div class="actions"><button type="submit">Send the link</button></div>
</form>
<p><a href="/login">Back to login</a></p></section>`,
  );
}

export function forgotSentPage(email: string): string {
  return page(
    { title: 'Check your mail' },
    html`<section class="narrow"><h1>Check your mail</h1>
<p>If an account exists for <strong>${email}</strong>, a link to reset its password is on its way. It is valid for one hour.</p>
<p class="muted">No mail server configured? The administrator finds the message with <code>printos cloud outbox</code>.</p>
<p><a href="/login">Back to login</a></p></section>`,
  );
}

export function resetPage(p: FormPage & { token: string; minLength: number }): string {
  return page(
    { title: 'Choose a new password', error: p.error },
    html`<section class="narrow"><h1>Choose a new password</h1>
<form method="post" action="/reset-password">${csrfField(p.csrf)}
<input type="hidden" name="token" value="${p.token}">
<label for="password">New password (at least ${p.minLength} characters)</label><input id="password" name="password" type="password" autocomplete="new-password" minlength="${p.minLength}" required>
<label for="password2">New password again</label><input id="password2" name="password2" type="password" autocomplete="new-password" minlength="${p.minLength}" required>
<div class="actions"><button type="submit">Set the password</button></div>
</form></section>`,
  );
}

export function messagePage(title: string, message: string, link = '/'): string {
  return page(
    { title },
    html`<section class="narrow"><h1>${title}</h1><p>${message}</p><p><a href="${link}">Continue</a></p></section>`,
  );
}
