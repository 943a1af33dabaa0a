/**
 * The escaping `html` tag, shared with the client's web interface (core/html.ts);
 * SafeHtml is this side's older name for its output type.
 */
export { escapeHtml, Html as SafeHtml, html } from '../../core/html.js';
