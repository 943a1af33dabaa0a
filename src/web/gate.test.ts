import { describe, expect, it } from 'vitest';
import { hostAllowed, isLoopbackPeer, normalizePeer, parseHost } from './gate.js';

describe('isLoopbackPeer', () => {
  it.each<[string | undefined, boolean]>([
    ['127.0.0.1', true],
    ['127.255.3.4', true],
    ['::1', true],
    ['::ffff:127.0.0.1', true],
    ['::FFFF:127.1.2.3', true],
    ['10.0.0.2', false],
    ['192.168.1.20', false],
    ['::ffff:192.168.1.20', false],
    ['fe80::1', false],
    ['::', false],
    ['0.0.0.0', false],
    ['128.0.0.1', false],
    ['1270.0.0.1', false],
    ['127.0.0.1.nip.io', false],
    ['', false],
    [undefined, false],
  ])('%s → %s', (address, expected) => {
    expect(isLoopbackPeer(address)).toBe(expected);
  });

  it('writes mapped IPv4 as IPv4', () => {
    expect(normalizePeer('::ffff:10.1.2.3')).toBe('10.1.2.3');
    expect(normalizePeer('FD00::2')).toBe('fd00::2');
  });
});

describe('hostAllowed', () => {
  const names = new Set(['localhost', '127.0.0.1', '[::1]']);
  it.each<[string | undefined, boolean]>([
    ['localhost:8008', true],
    ['LOCALHOST:8008', true],
    ['127.0.0.1:8008', true],
    ['[::1]:8008', true],
    ['localhost', true],
    ['localhost:8009', false],
    ['attacker.example:8008', false],
    ['attacker.example', false],
    ['localhost.:8008', false],
    ['127.0.0.1.nip.io:8008', false],
    ['localhost:8008@evil', false],
    ['localhost:99999', false],
    ['user@localhost:8008', false],
    ['', false],
    [undefined, false],
  ])('%s → %s', (host, expected) => {
    expect(hostAllowed(host, names, 8008)).toBe(expected);
  });

  it('parses names and ports', () => {
    expect(parseHost('[fd00::2]:443')).toEqual({ name: '[fd00::2]', port: 443 });
    expect(parseHost('pi.local')).toEqual({ name: 'pi.local' });
    expect(parseHost('a b')).toBeUndefined();
  });
});
