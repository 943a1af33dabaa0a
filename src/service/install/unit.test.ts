import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  parseInstalledPamService,
  parseInstalledUnit,
  renderPamService,
  renderPamSocket,
  renderUnit,
  UNIT_MARKER,
  type UnitValues,
} from './unit.js';

const packaged = (name: string) =>
  readFileSync(new URL(`../../../packaging/${name}`, import.meta.url), 'utf8');
const TEMPLATE = packaged('printos.service');

const VALUES: UnitValues = {
  user: 'printos',
  group: 'printos',
  node: '/usr/bin/node',
  prefix: '/opt/printos',
  dataDir: '/var/lib/printos',
  supplementaryGroups: ['dialout'],
  pam: { socketUnit: 'printos-pam.socket', socketPath: '/run/printos/pam.sock' },
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
    ['Wants', 'printos-pam.socket'],
    [
      'ExecStart',
      '/usr/bin/node --optimize-for-size /opt/printos/stable/bin/printos.js start --supervised --data-dir /var/lib/printos',
    ],
    ['Restart', 'always'],
    ['RestartSec', '2'],
    ['KillSignal', 'SIGTERM'],
    ['TimeoutStopSec', '90'],
    ['AmbientCapabilities', 'CAP_NET_BIND_SERVICE'],
    ['CapabilityBoundingSet', 'CAP_NET_BIND_SERVICE'],
    ['SupplementaryGroups', 'dialout'],
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

  it.each([
    ['Environment', ['PRINTOS_HOME=/var/lib/printos', 'PRINTOS_PAM_SOCKET=/run/printos/pam.sock']],
    ['After', ['network.target', 'printos-pam.socket']],
  ])('%s=%j', (key, values) => {
    expect(d.get(key)).toEqual(values);
  });

  it('leaves out every line naming the PAM socket without the helper', () => {
    const { pam: _pam, ...withoutPam } = VALUES;
    const plain = renderUnit(TEMPLATE, withoutPam);
    const p = directives(plain);
    expect(p.get('Environment')).toEqual(['PRINTOS_HOME=/var/lib/printos']);
    expect(p.get('After')).toEqual(['network.target']);
    expect(p.has('Wants')).toBe(false);
    // Only those lines: everything else is the same.
    const dropped = text.split('\n').filter((line) => !plain.split('\n').includes(line));
    expect(dropped).toEqual([
      'Wants=printos-pam.socket',
      'After=printos-pam.socket',
      'Environment=PRINTOS_PAM_SOCKET=/run/printos/pam.sock',
    ]);
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

describe('the PAM helper units', () => {
  const socket = directives(
    renderPamSocket(packaged('printos-pam.socket'), {
      group: 'printos',
      socketPath: '/run/printos/pam.sock',
    }),
  );
  const service = directives(
    renderPamService(packaged('printos-pam@.service'), {
      helperPath: '/usr/local/libexec/printos/printos-pam-helper',
    }),
  );

  it.each([
    ['ListenStream', '/run/printos/pam.sock'],
    ['SocketUser', 'root'],
    ['SocketGroup', 'printos'],
    ['SocketMode', '0660'],
    ['Accept', 'yes'],
    ['MaxConnections', '4'],
    ['RemoveOnStop', 'yes'],
    ['WantedBy', 'sockets.target'],
  ])('socket: %s=%s', (key, value) => {
    expect(socket.get(key)).toEqual([value]);
  });

  it.each([
    ['ExecStart', '/usr/local/libexec/printos/printos-pam-helper printos'],
    ['StandardInput', 'socket'],
    ['StandardOutput', 'socket'],
    ['StandardError', 'journal'],
    ['User', 'root'],
    ['RuntimeMaxSec', '30'],
    ['CapabilityBoundingSet', 'CAP_AUDIT_WRITE'],
    ['NoNewPrivileges', 'yes'],
    ['PrivateNetwork', 'yes'],
    ['RestrictAddressFamilies', 'AF_UNIX AF_NETLINK'],
    ['ProtectSystem', 'strict'],
    ['ProtectHome', 'read-only'],
    ['PrivateTmp', 'yes'],
    ['LockPersonality', 'yes'],
    ['MemoryDenyWriteExecute', 'yes'],
    ['SystemCallArchitectures', 'native'],
  ])('service: %s=%s', (key, value) => {
    expect(service.get(key)).toEqual([value]);
  });

  it('has no [Install] section: the socket starts it', () => {
    expect(service.has('WantedBy')).toBe(false);
  });

  it('refuses templates without their placeholder', () => {
    expect(() =>
      renderPamService(`# ${UNIT_MARKER}\nExecStart=/bin/true`, { helperPath: '/x' }),
    ).toThrow(/@PAM_HELPER@/);
    expect(() =>
      renderPamSocket(`# ${UNIT_MARKER}\n@GROUP@`, { group: 'g', socketPath: '/s' }),
    ).toThrow(/@PAM_SOCKET@/);
  });

  it('parseInstalledPamService reads the helper back', () => {
    const text = renderPamService(packaged('printos-pam@.service'), { helperPath: '/opt/h/x' });
    expect(parseInstalledPamService(text)).toEqual({ ours: true, helperPath: '/opt/h/x' });
    expect(parseInstalledPamService('[Service]\nExecStart=/usr/bin/x y\n')).toEqual({
      ours: false,
      helperPath: '/usr/bin/x',
    });
    expect(parseInstalledPamService('')).toEqual({ ours: false });
  });
});

describe('parseInstalledUnit', () => {
  it('says a unit without the marker is not ours', () => {
    const unit = parseInstalledUnit('[Service]\nUser=pi\nExecStart=/usr/bin/printos start\n');
    expect(unit).toEqual({ ours: false, user: 'pi' });
  });
});
