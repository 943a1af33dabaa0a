/** The add-a-printer page: the serial ports found, and a manual port path and baud rate. */
import { type Html, html } from './html.js';
import { csrfField } from './layout.js';

export interface DetectedPort {
  path: string;
  vid?: string | undefined;
  pid?: string | undefined;
  serialNumber?: string | undefined;
  description: string;
  profiles: string[];
  /** The id of the configured printer on this port, if any. */
  configuredAs?: string | undefined;
}

export interface AddPrinterView {
  csrf: string;
  ports: DetectedPort[];
  portsError?: string | undefined;
  bauds: readonly number[];
  manual?: { port?: string; baud?: string; name?: string };
}

function baudSelect(id: string, bauds: readonly number[], chosen = ''): Html {
  return html`<select id="${id}" name="baud">
<option value=""${chosen === '' ? html` selected` : ''}>Detect automatically</option>
${bauds.map((b) => html`<option value="${b}"${String(b) === chosen ? html` selected` : ''}>${b}</option>`)}
</select>`;
}

export function addPrinterBody(view: AddPrinterView): Html {
  return html`<h1>Add a printer</h1>
<section>
<h2>Detected USB serial ports</h2>
${view.portsError ? html`<p class="error">${view.portsError}</p>` : ''}
${
  view.ports.length === 0
    ? html`<p class="muted">No serial port found. Plug the printer in and reload, or enter its port below.</p>`
    : html`<table><thead><tr><th>Port</th><th>VID</th><th>PID</th><th>Serial number</th><th>Profile</th><th></th></tr></thead>
<tbody>${view.ports.map((port, i) => portRow(port, i, view))}</tbody></table>`
}
</section>
<section>
<h2>Another port</h2>
<form method="post" action="/printers/add">
${csrfField(view.csrf)}
<label for="port">Port path</label>
<input id="port" name="port" type="text" required maxlength="256" placeholder="/dev/ttyUSB0" value="${view.manual?.port ?? ''}">
<label for="baud">Baud rate</label>
${baudSelect('baud', view.bauds, view.manual?.baud)}
<label for="name">Name (optional)</label>
<input id="name" name="name" type="text" maxlength="64" value="${view.manual?.name ?? ''}">
<div class="actions"><button type="submit">Add the printer</button></div>
</form>
</section>`;
}

function portRow(port: DetectedPort, i: number, view: AddPrinterView): Html {
  const add = port.configuredAs
    ? html`<span class="muted">configured (${port.configuredAs})</span>`
    : html`<form method="post" action="/printers/add">${csrfField(view.csrf)}
<input type="hidden" name="port" value="${port.path}">
<label for="baud-${i}">Baud rate</label>${baudSelect(`baud-${i}`, view.bauds)}
<div class="actions"><button type="submit">Add</button></div></form>`;
  return html`<tr>
<td><code>${port.path}</code><br><span class="muted">${port.description}</span></td>
<td>${port.vid ?? '—'}</td><td>${port.pid ?? '—'}</td><td>${port.serialNumber ?? '—'}</td>
<td>${port.profiles.length > 0 ? port.profiles.join(', ') : html`<span class="muted">none matched</span>`}</td>
<td>${add}</td>
</tr>`;
}
