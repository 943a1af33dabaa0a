/** What the HTTP routes are given: the services, built by the server's composition root. */
import type { Logger } from '../../core/log.js';
import type { DataPaths } from '../paths.js';
import type { AccountService } from '../services/accounts.js';
import type { LinkSigner } from '../services/download-links.js';
import type { JobService } from '../services/jobs.js';
import type { PrinterService } from '../services/printers.js';
import type { ReleaseService } from '../services/releases.js';
import type { ReportService } from '../services/reports.js';
import type { Store } from '../store/index.js';

export interface HttpLimits {
  /** JSON request bodies. */
  jsonBytes: number;
  /** One uploaded job file. */
  uploadBytes: number;
  /** One log bundle (sendlogs). */
  logBytes: number;
  /** A camera frame. */
  cameraBytes: number;
}

export const DEFAULT_LIMITS: HttpLimits = {
  jsonBytes: 1024 * 1024,
  uploadBytes: 512 * 1024 * 1024,
  logBytes: 64 * 1024 * 1024,
  cameraBytes: 6 * 1024 * 1024,
};

export interface CloudContext {
  store: Store;
  log: Logger;
  now: () => number;
  paths: DataPaths;
  secret: Buffer;
  accounts: AccountService;
  printers: PrinterService;
  jobs: JobService;
  reports: ReportService;
  releases: ReleaseService;
  links: LinkSigner;
  limits: HttpLimits;
  /** Cookies get `Secure` when the public URL is https. */
  secureCookies: boolean;
  /** Web sessions: idle and absolute lifetimes. */
  sessionIdleMs: number;
  sessionMaxMs: number;
}
