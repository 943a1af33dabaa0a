/** The settings page: the client's settings, each printer's, and the audit log. */
import type { Settings } from '../../config/settings.js';
import type { PrinterEntry } from '../../service/printers-list.js';
import type { AuditEntry } from '../audit.js';
import { type Html, html } from './html.js';
import { csrfField } from './layout.js';

export interface SettingsView {
  csrf: string;
  settings: Settings;
  /** Saved settings that wait for a restart of the service. */
  pendingRestart: string[];
  problems: string[];
  certificate: string;
  printers: PrinterEntry[];
  bauds: readonly number[];
  audit: AuditEntry[];
}

const selected = (on: boolean) => (on ? html` selected` : '');
const checked = (on: boolean) => (on ? html` checked` : '');

export function settingsBody(view: SettingsView): Html {
  const { web, cloud } = view.settings;
  return html`<h1>Settings</h1>
${
  view.problems.length > 0
    ? html`<div class="error" role="alert"><p>The settings were not saved:</p><ul>${view.problems.map((p) => html`<li>${p}</li>`)}</ul></div>`
    : ''
}
${
  view.pendingRestart.length > 0
    ? html`<p class="warning" role="status">Saved, but the running service still uses the old values of
${view.pendingRestart.join(', ')}: they take effect when the service starts again.</p>`
    : ''
}
<section>
<h2>The client</h2>
<form method="post" action="/settings">
${csrfField(view.csrf)}
<label for="profile">Profile</label>
<select id="profile" name="profile">
<option value="desktop"${selected(web.profile === 'desktop')}>Desktop (external access off unless turned on)</option>
<option value="rpi"${selected(web.profile === 'rpi')}>Raspberry Pi appliance (external access on unless turned off)</option>
</select>
<label for="external">External access (other machines on the network, over HTTPS)</label>
<select id="external" name="external">
<option value=""${selected(web.external === null)}>As the profile says</option>
<option value="on"${selected(web.external === true)}>On</option>
<option value="off"${selected(web.external === false)}>Off</option>
</select>
<label for="httpsPort">HTTPS port</label>
<input id="httpsPort" name="httpsPort" type="number" min="1" max="65535" value="${web.httpsPort}">
<label for="httpPort">HTTP port (redirects to HTTPS)</label>
<input id="httpPort" name="httpPort" type="number" min="1" max="65535" value="${web.httpPort}">
<label for="certFile">HTTPS certificate file (PEM; empty: a generated self-signed one)</label>
<input id="certFile" name="certFile" type="text" maxlength="1024" value="${web.certFile ?? ''}">
<label for="keyFile">Its private key file (PEM)</label>
<input id="keyFile" name="keyFile" type="text" maxlength="1024" value="${web.keyFile ?? ''}">
<p class="muted">In use: ${view.certificate}</p>
<label for="allowedHosts">Other host names of this machine (space separated)</label>
<input id="allowedHosts" name="allowedHosts" type="text" maxlength="2000" value="${web.allowedHosts.join(' ')}">
<label class="check"><input type="checkbox" name="openBrowser" value="on"${checked(web.openBrowser)}> Open the browser at start</label>
<label for="cloudUrl">Cloud URL ("embedded" for the built-in cloud)</label>
<input id="cloudUrl" name="cloudUrl" type="text" maxlength="1024" value="${cloud.url}">
<label class="check"><input type="checkbox" name="autologin" value="on"${checked(view.settings.autologin)}> Autologin by default</label>
<label class="check"><input type="checkbox" name="updateEnabled" value="on"${checked(view.settings.update.enabled)}> Look for printos updates (never installed without asking)</label>
<label for="updateHours">Hours between two checks for updates (at least 1)</label>
<input id="updateHours" name="updateHours" type="number" min="1" max="720" value="${view.settings.update.checkIntervalHours}">
<p class="muted">Changes to external access, ports, the certificate, the cloud URL and the update check take effect when the service starts again.</p>
<div class="actions"><button type="submit">Save</button></div>
</form>
</section>
${view.printers.map((p) => printerSettings(p, view))}
<section>
<h2>Audit log</h2>
<p class="muted">Every sign-in and login attempt, newest first.</p>
${
  view.audit.length === 0
    ? html`<p class="muted">No attempt yet.</p>`
    : html`<table><thead><tr><th>When</th><th>Screen</th><th>Who</th><th>From</th><th>Result</th></tr></thead>
<tbody>${view.audit.map(
        (
          e,
        ) => html`<tr><td>${e.at}</td><td>${e.screen}</td><td>${e.user}${e.method ? ` (${e.method})` : ''}</td>
<td>${e.peer} <span class="muted">${e.listener}</span></td><td>${e.result}${e.detail ? html`<br><span class="muted">${e.detail}</span>` : ''}</td></tr>`,
      )}</tbody></table>`
}
</section>`;
}

function printerSettings(p: PrinterEntry, view: SettingsView): Html {
  const s = p.settings ?? {};
  const tri = (
    name: string,
    value: boolean | undefined,
  ) => html`<select id="${name}-${p.id}" name="${name}">
<option value=""${selected(value === undefined)}>Default</option>
<option value="true"${selected(value === true)}>Yes</option>
<option value="false"${selected(value === false)}>No</option></select>`;
  return html`<section>
<h2>Printer ${p.name ?? p.id} <span class="muted">${p.port}</span></h2>
<form method="post" action="/printers/${p.id}/settings">
${csrfField(view.csrf)}
<label for="name-${p.id}">Name</label>
<input id="name-${p.id}" name="name" type="text" maxlength="64" value="${p.name ?? ''}">
<label for="baud-${p.id}">Baud rate</label>
<select id="baud-${p.id}" name="baud"><option value=""${selected(p.baud === undefined)}>Detect automatically</option>
${view.bauds.map((b) => html`<option value="${b}"${selected(p.baud === b)}>${b}</option>`)}</select>
<label for="flow-${p.id}">Flow control</label>
<select id="flow-${p.id}" name="flow"><option value=""${selected(s.flow === undefined)}>Default (window)</option>
<option value="window"${selected(s.flow === 'window')}>window</option>
<option value="ping-pong"${selected(s.flow === 'ping-pong')}>ping-pong (one line at a time)</option></select>
<label for="rx-${p.id}">Firmware receive buffer (bytes)</label>
<input id="rx-${p.id}" name="rxBufferBytes" type="number" min="32" max="65536" value="${s.rxBufferBytes ?? ''}" placeholder="128">
<label for="slots-${p.id}">Command slots</label>
<input id="slots-${p.id}" name="commandSlots" type="number" min="1" max="64" value="${s.commandSlots ?? ''}" placeholder="1">
<label for="parenComments-${p.id}">Strip (…) comments</label>${tri('parenComments', s.parenComments)}
<label for="resetOnConnect-${p.id}">Reset the board on connect</label>${tri('resetOnConnect', s.resetOnConnect)}
<p class="muted">The name shows at once; the other settings apply when the printer connects again (at the next start).</p>
<div class="actions"><button type="submit">Save ${p.name ?? p.id}</button></div>
</form>
</section>`;
}
