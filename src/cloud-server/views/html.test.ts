import { describe, expect, it } from 'vitest';
import { escapeHtml, html } from './html.js';

describe('html templates', () => {
  it('escape every interpolated value', () => {
    const name = `<script>alert("x")</script> & 'q' \``;
    expect(html`<p title="${name}">${name}</p>`.value).toBe(
      `<p title="${escapeHtml(name)}">${escapeHtml(name)}</p>`,
    );
    expect(escapeHtml(name)).not.toMatch(/[<>"'`]/);
  });

  it('keep nested templates, join arrays, drop null, undefined and false', () => {
    const items = ['<a>', 'b'].map((x) => html`<li>${x}</li>`);
    expect(html`<ul>${items}</ul>${null}${undefined}${false}${0}`.value).toBe(
      '<ul><li>&lt;a&gt;</li><li>b</li></ul>0',
    );
  });
});
