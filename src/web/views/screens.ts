/** The two login screens (remote access, cloud login) and the account switch warning. */
import { type Html, html } from './html.js';
import { csrfField } from './layout.js';

export interface RemoteLoginView {
  csrf: string;
  /** The linked cloud account, the only one accepted here; null when unlinked. */
  linkedEmail: string | null;
  user?: string;
}

export function remoteLoginBody(view: RemoteLoginView): Html {
  const accepted = view.linkedEmail
    ? html`<p id="accepted">Sign in with <strong>this device's OS account</strong> (the SSH user
name and password), or with <strong>the email and password of the cloud account this client is
linked to (${view.linkedEmail})</strong>. No other cloud account is accepted.</p>`
    : html`<p id="accepted">Sign in with <strong>this device's OS account</strong> (the SSH user
name and password). This client is not linked to a cloud account, so no cloud account is
accepted here.</p>`;
  return html`<section class="narrow">
<h1>Remote access</h1>
${accepted}
<form method="post" action="/remote-login">
${csrfField(view.csrf)}
<label for="user">${view.linkedEmail ? 'OS user name or linked account email' : 'OS user name'}</label>
<input id="user" name="user" type="text" autocomplete="username" autocapitalize="none" spellcheck="false" required maxlength="254" value="${view.user ?? ''}">
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required maxlength="1024">
<div class="actions"><button type="submit">Sign in</button></div>
</form>
<p class="muted">You see this screen because you connect from another machine. On this device
itself (localhost) it is skipped.</p>
</section>`;
}

export interface CloudLoginView {
  csrf: string;
  cloudName: string;
  signupUrl: string;
  forgotUrl: string;
  autologin: boolean;
  email?: string;
  /** The account the client was linked to before (a different one means a switch). */
  previousEmail: string | null;
  /** The saved Autologin account while its login is under way. */
  autologinEmail: string | null;
}

export function cloudLoginBody(view: CloudLoginView): Html {
  return html`<section class="narrow">
<h1>Log in to the cloud</h1>
<p>Any account of ${view.cloudName} links this client to it, and its printers appear in that
account. This device's OS account does not work here.</p>
${
  view.autologinEmail
    ? html`<p class="notice" role="status">Logging in with the saved account ${view.autologinEmail}…
Reload this page in a moment, or log in below.</p>`
    : ''
}
${
  view.previousEmail
    ? html`<p class="muted">This client was linked to ${view.previousEmail}. Logging in with another
account unlinks every printer.</p>`
    : ''
}
<form method="post" action="/login">
${csrfField(view.csrf)}
<label for="email">Email</label>
<input id="email" name="email" type="email" autocomplete="username" required maxlength="254" value="${view.email ?? ''}">
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required maxlength="1024">
<label class="check"><input type="checkbox" name="autologin" value="on"${view.autologin ? html` checked` : ''}> Autologin (stay logged in after a restart)</label>
<div class="actions"><button type="submit">Log in</button></div>
</form>
<p class="actions"><a href="${view.forgotUrl}" rel="noopener noreferrer">Forgot your password?</a>
<a href="${view.signupUrl}" rel="noopener noreferrer">Sign up</a></p>
<form method="post" action="/offline">
${csrfField(view.csrf)}
<p class="muted">Offline mode: printers work from this interface, without the cloud.</p>
<button class="secondary" type="submit">Offline mode</button>
</form>
</section>`;
}

export interface SwitchView {
  csrf: string;
  previous: string;
  next: string;
  printers: string[];
}

export function switchWarningBody(view: SwitchView): Html {
  return html`<section class="narrow">
<h1>Switch the cloud account?</h1>
<p class="warning" role="alert">The client is linked to <strong>${view.previous}</strong>.
Linking <strong>${view.next}</strong> unlinks every printer; they must be set up again under
the new account.</p>
${
  view.printers.length > 0
    ? html`<p>Printers that will be unlinked:</p><ul>${view.printers.map((p) => html`<li>${p}</li>`)}</ul>`
    : html`<p>No printer is configured.</p>`
}
<form method="post" action="/login/confirm">
${csrfField(view.csrf)}
<div class="actions">
<button class="danger" type="submit" name="action" value="confirm">Link ${view.next} and unlink every printer</button>
<button class="secondary" type="submit" name="action" value="cancel">Cancel</button>
</div>
</form>
</section>`;
}
