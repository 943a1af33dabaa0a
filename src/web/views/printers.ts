/** The printers list, the cancel confirmation and the remove confirmation. */
import type { LiveState, PrinterCard } from '../cards.js';
import { type Html, html } from './html.js';
import { csrfField } from './layout.js';

/** In which states each control shows; the live script applies the same table. */
export const SHOWN_IN = {
  pause: 'printing',
  resume: 'paused pausing',
  cancel: 'printing paused pausing',
  emergency: 'ready printing pausing paused cancelling error',
  upload: 'ready',
} as const;

function when(states: string, state: string): Html {
  return html` data-when="${states}"${states.split(' ').includes(state) ? '' : html` hidden`}`;
}

/** `notices`: banners about the host itself (an update available, under-voltage). */
export function printersBody(view: LiveState, csrf: string, notices: Html | string = ''): Html {
  const status = view.offline
    ? html`<p class="muted">Offline mode: no cloud link. <a href="/logout">Leave offline mode</a></p>`
    : html`<p class="muted">Linked to <strong>${view.account ?? ''}</strong>.</p>`;
  return html`<h1>Printers</h1>
${notices}
${status}
${
  view.printers.length === 0
    ? html`<section><p>No printer is configured yet.</p><p><a class="button" href="/printers/add">Add a printer</a></p></section>`
    : html`<div class="grid" id="printers">${view.printers.map((p) => printerCard(p, csrf))}</div>`
}`;
}

function printerCard(p: PrinterCard, csrf: string): Html {
  const action = (name: string, label: string, states: string, style = 'secondary') =>
    html`<form method="post" action="/printers/${p.id}/${name}"${when(states, p.state)}>${csrfField(csrf)}<button class="${style}" type="submit">${label}</button></form>`;
  return html`<article class="card" data-printer="${p.id}">
<h2 data-field="name">${p.name}</h2>
<p><span class="state" data-field="state" data-state="${p.state}">${p.state}</span> <span class="muted">${p.port}</span></p>
<p class="error" data-field="error"${p.error ? '' : html` hidden`}>${p.error ?? ''}</p>
<dl>
<dt>Temperatures</dt><dd data-field="temperatures">${p.temperatures}</dd>
<dt>Job</dt><dd data-field="job">${p.job ?? '—'}</dd>
<dt>Progress</dt><dd><progress max="100" value="${p.percent ?? 0}" data-field="progress"></progress> <span data-field="percentText">${p.percentText}</span></dd>
<dt>Time left</dt><dd data-field="timeLeft">${p.timeLeft}</dd>
<dt>Cloud</dt><dd data-field="cloud">${p.cloud}</dd>
<dt>Last job</dt><dd data-field="lastJob">${p.lastJob ?? '—'}</dd>
</dl>
<div class="actions">
${action('pause', 'Pause', SHOWN_IN.pause)}
${action('resume', 'Resume', SHOWN_IN.resume)}
<a class="button secondary" href="/printers/${p.id}/cancel"${when(SHOWN_IN.cancel, p.state)}>Cancel print…</a>
${action('emergency-stop', 'Emergency stop', SHOWN_IN.emergency, 'danger')}
</div>
<form method="post" action="/printers/${p.id}/upload" enctype="multipart/form-data"${when(SHOWN_IN.upload, p.state)}>
${csrfField(csrf)}
<label for="file-${p.id}">Print a G-code file</label>
<input id="file-${p.id}" name="file" type="file" accept=".gcode,.gco,.g,.zip" required>
<div class="actions"><button type="submit">Upload and print</button></div>
</form>
<p class="muted"><a href="/printers/${p.id}/remove">Remove this printer…</a></p>
</article>`;
}

export function cancelBody(p: PrinterCard, csrf: string): Html {
  return html`<section class="narrow">
<h1>Cancel the print?</h1>
<p>${p.name} is printing <strong>${p.job ?? 'a job'}</strong> (${p.percentText}). Cancelling stops
it for good: the heaters are turned off and the motion stops.</p>
<form method="post" action="/printers/${p.id}/cancel">
${csrfField(csrf)}
<div class="actions"><button class="danger" type="submit">Cancel the print</button>
<a class="button secondary" href="/">Keep printing</a></div>
</form>
</section>`;
}

export function removeBody(
  p: { id: string; name: string; port: string; job: string | null },
  csrf: string,
): Html {
  return html`<section class="narrow">
<h1>Remove ${p.name}?</h1>
<p>The printer on <code>${p.port}</code> is disconnected and taken off the list.
${p.job ? html`<strong>Its print (${p.job}) is cancelled.</strong>` : ''}
You can add it again later.</p>
<form method="post" action="/printers/${p.id}/remove">
${csrfField(csrf)}
<div class="actions"><button class="danger" type="submit">Remove the printer</button>
<a class="button secondary" href="/">Keep it</a></div>
</form>
</section>`;
}
