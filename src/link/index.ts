/** The client side of the cloud: what the service composes. */
export { type LoginRequest, loginUser, type UserSession } from './account.js';
export {
  type CloudClient,
  type CloudClientOptions,
  createCloudClient,
  type PostOptions,
} from './cloud-client.js';
export { type DownloadJobOptions, downloadJob } from './download.js';
export type { DownloadFn, DownloadTuning } from './job-delivery.js';
export type { LinkClock } from './loop-timing.js';
export { maskSecrets } from './mask.js';
export {
  type LinkPhase,
  type LinkState,
  PrinterLink,
  type PrinterLinkDeps,
} from './printer-link.js';
export { isLoopbackHost } from './url-rules.js';
export type * from './types.js';
