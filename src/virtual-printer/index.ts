/** The virtual printer's public surface: the simulator, its links and its test clock. */
export { realTiming, type SimClock, type TimerScheduler, type Timing } from './clock.js';
export { parseFaultKinds, parseFaultSpec } from './faults.js';
export type { PrinterLink } from './link.js';
export { createMemoryLink, type MemoryLink } from './memory-link.js';
export {
  FAULT_KINDS,
  type FaultAt,
  type FaultKind,
  resolveOptions,
  type VirtualPrinterOptions,
  type VirtualPrinterOptionsInput,
} from './options.js';
export { openPty, type PtyLink } from './pty.js';
export { RecordFile } from './record-file.js';
export type { ExecutedCommand, VirtualPrinterStats } from './recorder.js';
export { createTestHost, type Received, type TestHost } from './test-host.js';
export { VirtualClock } from './virtual-clock.js';
export {
  type DisconnectReason,
  VirtualPrinter,
  type VirtualPrinterDeps,
} from './virtual-printer.js';
