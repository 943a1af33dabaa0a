import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseInstalledUnit, renderUnit, UNIT_MARKER, type UnitValues } from './unit.js';

const TEMPLATE = readFileSync(
  new URL('../../../packaging/printos.service', import.meta.url),
  'utf8',
);

const VALUES: UnitValues = {
  user: 'printos',
  group: 'printos',
  node: '/usr/bin/node',
  prefix: '/opt/printos',
  dataDir: '/var/lib/printos',
  supplementaryGroups: ['dialout', 'shadow'],
};

function directives(text: string): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (const line of text.split('\n')) {
    const match = /^([A-Za-z]+)=(.*)$/.exec(line);
    if (!match?.[1]) continue;
    map.set(match[1], [...(map.get(match[1]) ?? []), match[2] ?? '']);
  }
  return map;
}

describe('renderUnit with the repository template', () => {
  const text = renderUnit(TEMPLATE, VALUES);
  const d = directives(text);

  it('replaces every placeholder', () => {
    expect(text).not.toMatch(/@[A-Z_]+@/);
  });

  it.each([
    ['Type', 'simple'],
    ['User', 'printos'],
    ['Group', 'printos'],
    ['Environment', 'PRINTOS_HOME=/var/lib/printos'],
    [
      'ExecStart',
      '/usr/bin/node --optimize-for-size /opt/printos/current/bin/printos.js start --supervised --data-dir /var/lib/printos',
    ],
    ['Restart', 'always'],
    ['RestartSec', '2'],
    ['KillSignal', 'SIGTERM'],
    ['TimeoutStopSec', '30'],
    ['AmbientCapabilities', 'CAP_NET_BIND_SERVICE'],
    ['CapabilityBoundingSet', 'CAP_NET_BIND_SERVICE'],
    ['SupplementaryGroups', 'dialout shadow'],
    ['NoNewPrivileges', 'yes'],
    ['ProtectSystem', 'strict'],
    ['ReadWritePaths', '/var/lib/printos /opt/printos'],
    ['ProtectHome', 'yes'],
    ['PrivateTmp', 'yes'],
    ['ProtectKernelTunables', 'yes'],
    ['ProtectControlGroups', 'yes'],
    ['RestrictSUIDSGID', 'yes'],
    ['LockPersonality', 'yes'],
    ['UMask', '0077'],
    ['WantedBy', 'multi-user.target'],
  ])('%s=%s', (key, value) => {
    expect(d.get(key)).toEqual([value]);
  });

  it('leaves serial devices visible', () => {
    expect(d.has('PrivateDevices')).toBe(false);
    expect(d.has('DeviceAllow')).toBe(false);
  });

  it('lists only the groups given', () => {
    const one = directives(renderUnit(TEMPLATE, { ...VALUES, supplementaryGroups: ['dialout'] }));
    expect(one.get('SupplementaryGroups')).toEqual(['dialout']);
  });

  it('is read back by parseInstalledUnit', () => {
    expect(parseInstalledUnit(text)).toEqual({
      ours: true,
      user: 'printos',
      prefix: '/opt/printos',
      dataDir: '/var/lib/printos',
    });
  });
});

describe('renderUnit refuses', () => {
  it.each([
    [
      'an unknown placeholder',
      `# ${UNIT_MARKER}\n@USER@ @NODE@ @PREFIX@ @DATA_DIR@ @OTHER@`,
      /@OTHER@/,
    ],
    ['a missing placeholder', `# ${UNIT_MARKER}\n@USER@ @NODE@ @PREFIX@`, /@DATA_DIR@/],
    ['a template without the marker', '@USER@ @NODE@ @PREFIX@ @DATA_DIR@', /marker/],
  ])('%s', (_what, template, message) => {
    expect(() => renderUnit(template, VALUES)).toThrowError(message);
  });

  it('a value with a line break', () => {
    expect(() => renderUnit(TEMPLATE, { ...VALUES, user: 'x\nExecStartPre=/bin/sh' })).toThrow(
      /line break/,
    );
  });
});

describe('parseInstalledUnit', () => {
  it('says a unit without the marker is not ours', () => {
    const unit = parseInstalledUnit('[Service]\nUser=pi\nExecStart=/usr/bin/printos start\n');
    expect(unit).toEqual({ ours: false, user: 'pi' });
  });
});
