/** The update page: this version, the available one with its release notes, progress. */
import type { UpdateStatus } from '../../update/updater.js';
import { type Html, html } from './html.js';
import { csrfField } from './layout.js';

const PHASE_TEXT: Record<UpdateStatus['phase'], string> = {
  idle: 'Up to date.',
  checking: 'Looking for a new release…',
  available: 'A new release is available.',
  'waiting-for-idle': 'The update waits until no printer is printing.',
  downloading: 'Downloading the release…',
  installing: 'Verifying and installing the release…',
  restarting: 'Restarting into the new version…',
  failed: 'The last attempt failed.',
};

/** Pages in progress reload themselves (no script needed, allowed by the CSP). */
export function updateInProgress(status: UpdateStatus): boolean {
  return ['checking', 'downloading', 'installing', 'restarting', 'waiting-for-idle'].includes(
    status.phase,
  );
}

export function updateBody(status: UpdateStatus, csrf: string): Html {
  return html`<section class="narrow" id="update">
<h1>Update printos</h1>
<p>This is printos <strong id="update-current">${status.current}</strong>.
<span id="update-phase">${PHASE_TEXT[status.phase]}</span>
${status.checkedAt ? html`<span class="muted">Last check: ${status.checkedAt}.</span>` : ''}</p>
${progress(status)}
${status.error ? html`<p class="error" role="alert" id="update-error">${status.error.message}</p>` : ''}
${lastOutcome(status)}
${available(status, csrf)}
<form method="post" action="/update/check">
${csrfField(csrf)}
<div class="actions"><button class="secondary" type="submit">Check for updates now</button></div>
</form>
</section>`;
}

function progress(status: UpdateStatus): Html | string {
  if (!status.progress || status.phase !== 'downloading') return '';
  const percent = Math.floor((100 * status.progress.received) / status.progress.total);
  return html`<p><progress max="100" value="${String(percent)}"></progress> ${String(percent)}%</p>`;
}

function lastOutcome(status: UpdateStatus): Html | string {
  const last = status.last;
  if (!last) return '';
  return last.outcome === 'rolled-back'
    ? html`<p class="warning" role="alert" id="update-last">The update to ${last.to} was rolled back
to ${last.from}: ${last.reason ?? 'it failed its health check'}.</p>`
    : html`<p class="muted" id="update-last">Updated from ${last.from} to ${last.to} on ${last.at}.</p>`;
}

function available(status: UpdateStatus, csrf: string): Html | string {
  const release = status.available;
  if (!release) return '';
  const button = status.cannotInstall
    ? html`<p class="muted">${status.cannotInstall}</p>`
    : status.phase === 'waiting-for-idle' || updateInProgress(status)
      ? ''
      : html`<form method="post" action="/update/apply">
${csrfField(csrf)}
${
  status.busy
    ? html`<p class="warning" id="update-busy">${status.busy}: printos does not update during a
print.</p><input type="hidden" name="when_idle" value="1">
<div class="actions"><button type="submit">Update when the printer is idle</button></div>`
    : html`<div class="actions"><button type="submit">Update now to ${release.version}</button></div>`
}
</form>`;
  return html`<h2>printos ${release.version} is available</h2>
<p class="muted">${formatSize(release.size)}, signed; the service restarts into it and goes back
to ${status.current} by itself if the new version does not start properly.</p>
<pre id="update-notes">${release.notes}</pre>
${button}`;
}

function formatSize(bytes: number): string {
  return bytes >= 1_000_000
    ? `${(bytes / 1_000_000).toFixed(1)} MB`
    : `${Math.ceil(bytes / 1000)} kB`;
}

/** The banner on the printers page. */
export function updateBanner(status: UpdateStatus | null): Html | string {
  if (!status?.available) return '';
  return html`<p class="notice" id="update-banner">printos ${status.available.version} is available.
<a href="/update">See what is new and update</a></p>`;
}

/** A run without the updater (a library use of the web server, a test). */
export function updatesOffBody(): Html {
  return html`<section class="narrow" id="update">
<h1>Update printos</h1>
<p>Updates are not available in this run of printos.</p>
</section>`;
}
