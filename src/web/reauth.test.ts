import { describe, expect, it } from 'vitest';
import { reauthUrl, safeNext } from './reauth.js';

describe('safeNext', () => {
  it.each([
    '/',
    '/settings',
    '/logout',
    '/login/confirm',
    '/printers/p-000001/remove',
    '/printers/add/',
    '/a.b/c~d_e-f',
  ])('keeps the same-origin path %s', (path) => {
    expect(safeNext(path)).toBe(path);
  });

  it.each<unknown>([
    // Another host, written every way a browser reads as one.
    '//evil.example',
    '//evil.example/settings',
    '///evil.example',
    '////evil.example',
    '/\\evil.example',
    '\\\\evil.example',
    '\\/evil.example',
    '/\\/evil.example',
    '/%2f%2fevil.example',
    '%2f%2fevil.example',
    '/%2F%2Fevil.example',
    '/%5cevil.example',
    '/%252f%252fevil.example',
    '/.//evil.example',
    '/./evil.example',
    '/settings//evil.example',
    // Schemes.
    'https://evil.example',
    'http:evil.example',
    'HTTPS://evil.example/',
    'javascript:alert(1)',
    'JaVaScRiPt:alert(1)',
    'data:text/html,<script>alert(1)</script>',
    '/javascript:alert(1)',
    'evil.example',
    'settings',
    // Dot segments, plain and encoded.
    '/..',
    '/../settings',
    '/settings/../..//evil.example',
    '/%2e%2e/%2e%2e/evil.example',
    '/%2e%2e%2f%2e%2e%2fevil.example',
    '/.%2e/evil.example',
    // Controls, spaces, query and fragment, lookalikes.
    '/\tevil.example',
    '/\n/evil.example',
    '/\r\n//evil.example',
    ' //evil.example',
    '/ /evil.example',
    '/settings?next=//evil.example',
    '/settings#//evil.example',
    '/\u3002evil.example',
    '/\uff0f\uff0fevil.example',
    '/@evil.example',
    // The page itself (a loop), and anything that is not a short string.
    '/confirm-identity',
    '/confirm-identity/',
    `/${'a'.repeat(600)}`,
    '',
    undefined,
    null,
    42,
    ['/settings'],
    { next: '/settings' },
  ])('sends %j to /', (next) => {
    expect(safeNext(next)).toBe('/');
  });
});

describe('reauthUrl', () => {
  it('carries a safe next, encoded', () => {
    expect(reauthUrl('/printers/p-1/remove')).toBe(
      '/confirm-identity?next=%2Fprinters%2Fp-1%2Fremove',
    );
    expect(reauthUrl('//evil.example')).toBe('/confirm-identity?next=%2F');
  });
});
