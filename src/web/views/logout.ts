/** The logout confirmation: what stops, named. */
import { type Html, html } from './html.js';
import { csrfField } from './layout.js';

export interface LogoutView {
  csrf: string;
  account: string;
  printers: string[];
  /** "Printer: job.gcode" for every print that logout interrupts. */
  prints: string[];
}

export function logoutBody(view: LogoutView): Html {
  return html`<section class="narrow">
<h1>Log out of ${view.account}?</h1>
<p class="warning" role="alert">Logging out stops the client service: every printer is
disconnected and every print is interrupted (safely: heaters off, motion stopped).</p>
${
  view.printers.length > 0
    ? html`<p>Printers that will be disconnected:</p><ul id="logout-printers">${view.printers.map((p) => html`<li>${p}</li>`)}</ul>`
    : html`<p>No printer is connected.</p>`
}
${
  view.prints.length > 0
    ? html`<p><strong>Prints that will be interrupted:</strong></p><ul id="logout-prints">${view.prints.map((p) => html`<li>${p}</li>`)}</ul>`
    : html`<p>No print is running.</p>`
}
<form method="post" action="/logout">
${csrfField(view.csrf)}
<div class="actions"><button class="danger" type="submit">Log out and stop the service</button>
<a class="button secondary" href="/">Stay logged in</a></div>
</form>
</section>`;
}

export function leaveOfflineBody(csrf: string): Html {
  return html`<section class="narrow">
<h1>Leave offline mode?</h1>
<p>The printers stay connected; the cloud login screen shows again.</p>
<form method="post" action="/logout">
${csrfField(csrf)}
<div class="actions"><button type="submit">Leave offline mode</button>
<a class="button secondary" href="/">Stay offline</a></div>
</form>
</section>`;
}

export function stoppedBody(interrupted: string[]): Html {
  return html`<section class="narrow">
<h1>Logged out</h1>
<p>The client service is stopping; the printers were disconnected.</p>
${
  interrupted.length > 0
    ? html`<p>Interrupted prints:</p><ul>${interrupted.map((j) => html`<li>${j}</li>`)}</ul>`
    : ''
}
<p class="muted">Start it again with <code>printos start</code> (or the system service).</p>
</section>`;
}
