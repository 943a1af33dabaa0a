/**
 * The printers list's script (no inline JS: served as /static/live.js). It follows the
 * server-sent events and writes each printer's fields with textContent (never HTML),
 * shows the controls of the current state, and reloads the page when the set of
 * printers or the account changes. Without it, the page still works (it reloads).
 *
 * This function is sent to the browser as its source text, so it must stand alone:
 * no imports at run time, no closure over this module.
 */
import type { LiveState } from '../cards.js';

export function liveUpdates(): void {
  let shown: { account: string | null; offline: boolean } | null = null;
  const source = new EventSource('/ui/events');
  source.addEventListener('state', (event) => {
    const state = JSON.parse((event as MessageEvent<string>).data) as LiveState;
    const cards = Array.from(document.querySelectorAll<HTMLElement>('[data-printer]'));
    const ids = cards.map((card) => card.dataset.printer).join('\n');
    const changedAccount =
      shown !== null && (shown.account !== state.account || shown.offline !== state.offline);
    if (changedAccount || ids !== state.printers.map((p) => p.id).join('\n')) {
      source.close();
      window.location.reload();
      return;
    }
    shown = { account: state.account, offline: state.offline };
    for (const printer of state.printers) {
      const card = cards.find((c) => c.dataset.printer === printer.id);
      if (!card) continue;
      const set = (name: string, text: string) => {
        const element = card.querySelector<HTMLElement>(`[data-field="${name}"]`);
        if (element && element.textContent !== text) element.textContent = text;
      };
      set('name', printer.name);
      set('state', printer.state);
      set('temperatures', printer.temperatures);
      set('job', printer.job ?? '—');
      set('percentText', printer.percentText);
      set('timeLeft', printer.timeLeft);
      set('cloud', printer.cloud);
      set('lastJob', printer.lastJob ?? '—');
      set('error', printer.error ?? '');
      card
        .querySelector<HTMLElement>('[data-field="state"]')
        ?.setAttribute('data-state', printer.state);
      const error = card.querySelector<HTMLElement>('[data-field="error"]');
      if (error) error.hidden = printer.error === null;
      const progress = card.querySelector<HTMLProgressElement>('[data-field="progress"]');
      if (progress) progress.value = printer.percent ?? 0;
      for (const element of Array.from(card.querySelectorAll<HTMLElement>('[data-when]'))) {
        element.hidden = !(element.dataset.when ?? '').split(' ').includes(printer.state);
      }
    }
  });
  source.addEventListener('error', () => {
    // A closed stream (session ended, service stopped): reload once it may answer again.
    if (source.readyState === EventSource.CLOSED) {
      window.setTimeout(() => window.location.reload(), 5000);
    }
  });
}

/** The script as served: the function's source, called at once. */
export function liveScriptSource(): string {
  // Some TypeScript runners wrap named functions in `__name(…)`; give it a no-op.
  return `'use strict';\nvar __name = function (target) { return target; };\n(${liveUpdates.toString()})();\n`;
}
