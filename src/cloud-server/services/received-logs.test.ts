import { describe, expect, it } from 'vitest';
import { summaryOf } from './received-logs.js';

describe('summaryOf', () => {
  it.each([
    ['The bed did not heat\nmore', 'The bed did not heat'],
    ['\r\n   \n  indented first line  \r\nnext', 'indented first line'],
    ['', ''],
    ['\n\n', ''],
    ['tab\there\u0007bell\u001b[31mred', 'tab here bell [31mred'],
    ['broken \ufffd char', 'broken   char'],
  ])('%j → %j', (text, expected) => {
    expect(summaryOf(text)).toBe(expected);
  });

  it('cuts a long line to 200 characters', () => {
    const line = summaryOf('x'.repeat(500));
    expect(line).toHaveLength(200);
    expect(line.endsWith('…')).toBe(true);
  });
});
