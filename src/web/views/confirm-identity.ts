/** The re-authentication page: the password of the identity signed in, before a sensitive action. */
import type { RemoteIdentity } from '../sessions.js';
import { type Html, html } from './html.js';
import { csrfField } from './layout.js';

export interface ConfirmIdentityView {
  csrf: string;
  identity: RemoteIdentity;
  /** The action waiting, named ("change network or cloud settings"). */
  action: string;
  /** Where the user returns afterwards (already checked: a same-origin path). */
  next: string;
  /** How long a proof lasts, in words ("5 minutes"). */
  period: string;
}

export function confirmIdentityBody(view: ConfirmIdentityView): Html {
  const { identity } = view;
  const kind =
    identity.method === 'os'
      ? "this device's OS account"
      : 'the cloud account this client is linked to';
  return html`<section class="narrow">
<h1>Confirm your identity</h1>
<p id="reauth-why">You are signed in as <strong>${identity.user}</strong> (${kind}). To
<strong>${view.action}</strong>, enter the password of ${identity.user} again: from another
machine, these actions need a password typed in the last ${view.period}.</p>
<form method="post" action="/confirm-identity">
${csrfField(view.csrf)}
<input type="hidden" name="next" value="${view.next}">
<label for="reauth-user">${identity.method === 'os' ? 'OS user name' : 'Linked account email'}</label>
<input id="reauth-user" type="text" autocomplete="username" readonly value="${identity.user}">
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required maxlength="1024" autofocus>
<div class="actions"><button type="submit">Confirm</button>
<a class="button secondary" href="${view.next}">Cancel</a></div>
</form>
<p class="muted">Afterwards you return to the page you came from; submit its form again.</p>
</section>`;
}

/** A period in words: minutes when whole minutes, else seconds (tests shorten it). */
export function periodText(ms: number): string {
  if (ms >= 60_000 && ms % 60_000 === 0) {
    const minutes = ms / 60_000;
    return minutes === 1 ? '1 minute' : `${minutes} minutes`;
  }
  const seconds = Math.max(1, Math.ceil(ms / 1000));
  return seconds === 1 ? '1 second' : `${seconds} seconds`;
}
