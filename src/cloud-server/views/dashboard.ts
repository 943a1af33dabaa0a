/**
 * The signed-in home page: printers with their live state, upload, queue, history, API
 * tokens, and the logs the account's clients sent.
 */
import type { ReceivedLogView } from '../services/received-logs.js';
import type { JobView, PrinterView } from '../services/views.js';
import { html, type SafeHtml } from './html.js';
import { csrfField, page } from './layout.js';

export interface DashboardData {
  email: string;
  csrf: string;
  printers: PrinterView[];
  jobs: JobView[];
  apiTokens: number;
  /** Newest first. */
  logs: ReceivedLogView[];
  newToken?: string | undefined;
  notice?: string | undefined;
  error?: string | undefined;
}

const ACTIVE = new Set(['queued', 'starting', 'downloading', 'printing', 'paused']);

export function formatTime(iso: string | null): string {
  return iso ? `${iso.slice(0, 16).replace('T', ' ')} UTC` : '—';
}

export function formatTemps(temps: number[], targets: number[]): string {
  return temps
    .map((t, i) => {
      const target = targets[i] ? `/${targets[i]}` : '';
      return `${i === 0 ? 'Bed' : `T${i - 1}`} ${t}${target} °C`;
    })
    .join(' · ');
}

function action(csrf: string, path: string, label: string, kind = ''): SafeHtml {
  return html`<form method="post" action="${path}">${csrfField(csrf)}<button type="submit" class="${kind}">${label}</button></form>`;
}

function printerCard(p: PrinterView, csrf: string): SafeHtml {
  const base = `/printers/${p.id}`;
  const running = ['printing', 'downloading'].includes(p.state);
  return html`<div class="card">
<strong>${p.name}</strong> <span class="state">${p.state}</span>
${p.percent !== null && p.state !== 'ready' ? html` <span>${Math.round(p.percent)} %</span>` : ''}
<div class="muted">${formatTemps(p.temps, p.target_temps) || 'No temperatures yet'}</div>
${p.filename ? html`<div>Job: ${p.filename}</div>` : ''}
<div class="muted">Last seen: ${formatTime(p.last_seen)}</div>
${p.last_error ? html`<div class="muted">Last error (${p.last_error.code}): ${p.last_error.message}</div>` : ''}
<div class="actions">
${running ? action(csrf, `${base}/pause`, 'Pause', 'secondary') : ''}
${p.state === 'paused' ? action(csrf, `${base}/resume`, 'Resume', 'secondary') : ''}
${running || p.state === 'paused' ? action(csrf, `${base}/cancel`, 'Cancel print', 'danger') : ''}
<form method="post" action="${base}/rename">${csrfField(csrf)}<input type="text" name="name" maxlength="255" value="${p.name}" aria-label="New name of ${p.name}"> <button type="submit" class="secondary">Rename</button></form>
${action(csrf, `${base}/remove`, 'Remove printer', 'danger')}
</div></div>`;
}

function uploadForm(printers: PrinterView[], csrf: string): SafeHtml {
  if (printers.length === 0) {
    return html`<p>No printer yet. Log a printos client in with this account: its printers appear here.</p>`;
  }
  // Multipart bodies are read after the CSRF check, so the token rides in the query string.
  return html`<form method="post" action="/jobs?_csrf=${encodeURIComponent(csrf)}" enctype="multipart/form-data">
<label for="printer">Printer</label><select id="printer" name="printer_id">${printers.map(
    (p) => html`<option value="${p.id}">${p.name}</option>`,
  )}</select>
<label for="file">G-code file (.gcode, .gco, .g or .zip)</label><input id="file" name="file" type="file" accept=".gcode,.gco,.g,.zip" required>
<label><input type="checkbox" name="start" value="true"> Start printing now</label>
<div class="actions"><button type="submit">Upload</button></div></form>`;
}

function jobRow(j: JobView, csrf: string): SafeHtml {
  const base = `/jobs/${j.id}`;
  const finished = !ACTIVE.has(j.status);
  return html`<tr><td>${j.filename}</td><td>${j.printer_name}</td>
<td><span class="state">${j.status}</span>${j.status !== 'queued' && !finished ? ` ${Math.round(j.percent)} %` : ''}${j.outcome && j.outcome !== j.status ? html`<div class="muted">${j.outcome}</div>` : ''}</td>
<td>${formatTime(finished ? j.finished_at : j.created_at)}</td>
<td><div class="actions">
${j.status === 'queued' ? action(csrf, `${base}/start`, 'Print now') : ''}
${ACTIVE.has(j.status) ? action(csrf, `${base}/cancel`, 'Cancel', 'danger') : ''}
${j.status === 'queued' || finished ? action(csrf, `${base}/remove`, 'Remove', 'secondary') : ''}
</div></td></tr>`;
}

function jobTable(jobs: JobView[], csrf: string, empty: string): SafeHtml {
  if (jobs.length === 0) return html`<p class="muted">${empty}</p>`;
  return html`<table><thead><tr><th>File</th><th>Printer</th><th>Status</th><th>Time</th><th></th></tr></thead>
<tbody>${jobs.map((j) => jobRow(j, csrf))}</tbody></table>`;
}

export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

function logTable(logs: ReceivedLogView[]): SafeHtml {
  if (logs.length === 0) {
    return html`<p class="muted">None yet. "Report a problem" in a printos client sends them here.</p>`;
  }
  return html`<table><thead><tr><th>Time</th><th>Size</th><th>Report</th></tr></thead>
<tbody>${logs.map(
    (l) =>
      html`<tr><td>${formatTime(l.receivedAt)}</td><td>${formatSize(l.size)}</td><td>${l.report || html`<span class="muted">no report</span>`}</td></tr>`,
  )}</tbody></table>`;
}

export function dashboardPage(d: DashboardData): string {
  const current = d.jobs.filter((j) => ACTIVE.has(j.status)).reverse();
  const history = d.jobs.filter((j) => !ACTIVE.has(j.status));
  return page(
    { title: 'Printers', email: d.email, csrf: d.csrf, notice: d.notice, error: d.error },
    html`<h1>Printers</h1>
${d.printers.length ? d.printers.map((p) => printerCard(p, d.csrf)) : ''}
<section><h2>Upload a job</h2>${uploadForm(d.printers, d.csrf)}</section>
<section><h2>Queue</h2>${jobTable(current, d.csrf, 'Nothing queued.')}</section>
<section><h2>History</h2>${jobTable(history, d.csrf, 'No finished jobs yet.')}</section>
<section><h2>API tokens</h2>
<p class="muted">Scripts use the JSON API (/api/printers, /api/jobs) with <code>Authorization: Bearer &lt;token&gt;</code>. This account has ${d.apiTokens} token(s).</p>
${d.newToken ? html`<p class="notice">New token (shown only now): <code>${d.newToken}</code></p>` : ''}
<form method="post" action="/account/tokens">${csrfField(d.csrf)}<button type="submit" class="secondary">Create an API token</button></form>
</section>
<section><h2>Logs you sent</h2>${logTable(d.logs)}</section>`,
  );
}
