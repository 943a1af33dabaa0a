/** The escaping `html` tag, shared with the self-hosted cloud's pages (core/html.ts). */
export { escapeHtml, Html, html } from '../../core/html.js';
