/** "Report a problem": what happened, in the user's words; the log goes with it. */
import { type Html, html } from './html.js';
import { csrfField } from './layout.js';

export interface ReportView {
  csrf: string;
  /** The linked cloud account the report goes to; null when not linked (offline, logged out). */
  account: string | null;
  /** The text typed, kept when the report could not be sent. */
  text: string;
  /** Reports can be sent in this run (the service wires the sending). */
  available: boolean;
  maxLength: number;
}

export function reportBody(view: ReportView): Html {
  return html`<section class="narrow">
<h1>Report a problem</h1>
<p>Say what happened: what you did, what you expected, what the printer or this page did
instead. The client's recent log, its settings and the printers' state go with your text.
Tokens, passwords and session ids are masked before anything leaves this device.</p>
${destination(view)}
<form method="post" action="/report">
${csrfField(view.csrf)}
<label for="report">What happened?</label>
<textarea id="report" name="report" rows="8" cols="60" maxlength="${view.maxLength}" required>${view.text}</textarea>
<div class="actions"><button type="submit"${view.available ? '' : html` disabled`}>Send</button>
<a class="button secondary" href="/">Back to the printers</a></div>
</form>
</section>`;
}

function destination(view: ReportView): Html {
  if (!view.available) {
    return html`<p class="warning" role="status">This run of the client cannot send reports.</p>`;
  }
  if (!view.account) return notLinked();
  return html`<p class="muted">The report goes to the cloud account <strong>${view.account}</strong>,
where its support can read it.</p>`;
}

/** Why nothing can be sent: logs go to the linked cloud account. */
const NOT_LINKED_TEXT =
  'Reports and logs go to the linked cloud account, and this client is not linked to one now (offline mode, or logged out). Log in to the cloud account first, then send the report.';

function notLinked(): Html {
  return html`<p class="warning" role="status">${NOT_LINKED_TEXT}</p>`;
}
