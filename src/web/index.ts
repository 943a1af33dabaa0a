/** The local web interface: what the composition root (app-service.ts) uses. */
export { linkedAccountChecker, onlineCheckFrom } from './cloud-check.js';
export { browserOpener } from './open-browser.js';
export { createPamChecker } from './pam.js';
export { printerStore } from './printer-store.js';
export { createWebServer, type WebServer, type WebUrls } from './server.js';
export type {
  PasswordChecker,
  PrinterStore,
  SettingsStore,
  WebDeps,
  WebLimits,
  WebService,
} from './types.js';
export { type ClientWebInput, cloudSiteUrl, createClientWebServer } from './wiring.js';
