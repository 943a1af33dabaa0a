/** The PrinterStore of the web interface over the printers list file (printers-list.ts). */
import type { PortInfo } from '../transport/ports.js';
import {
  addPrinter,
  loadPrinters,
  portLookup,
  removePrinter,
  updatePrinter,
} from '../service/printers-list.js';
import type { PrinterStore } from './types.js';

export function printerStore(file: string, listPorts: () => Promise<PortInfo[]>): PrinterStore {
  const lookupPort = portLookup(listPorts);
  return {
    list: () => loadPrinters(file),
    add: (input) => addPrinter(file, input, { lookupPort }),
    remove: (id) => removePrinter(file, id),
    update: (id, patch) => updatePrinter(file, id, patch),
  };
}
