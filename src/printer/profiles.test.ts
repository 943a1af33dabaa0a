import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  BUILTIN_PROFILES,
  baudCandidates,
  matchProfiles,
  type Profile,
  STANDARD_BAUDRATES,
  uniqueProfile,
} from './profiles.js';

/** 4 uppercase hex digits (USB) or a 4-character pseudo id such as VIRT or 0PIN (§4.2). */
const usbId = z.string().regex(/^[0-9A-Z]{4}$/);
const gcodes = z.array(z.string().min(1)).optional();

/** The §4.4 format, strict so that a typo in the table fails here. */
const profileSchema = z.strictObject({
  alias: z.string().min(1),
  name: z.string().min(1),
  vids_pids: z.array(z.tuple([usbId, usbId])).min(1),
  baudrate: z.array(z.number().int().positive()).min(1),
  v2: z.strictObject({
    vendor: z.string().min(1),
    model: z.string().min(1),
    connections: z
      .array(
        z.strictObject({
          id: z.literal('serial'),
          type: z.literal('USB_SERIAL'),
          ids: z.array(z.strictObject({ VID: usbId, PID: usbId })).min(1),
        }),
      )
      .min(1),
  }),
  allow_comments: z.boolean().optional(),
  no_DTR: z.boolean().optional(),
  extruder_count: z.number().int().positive().optional(),
  start_gcodes: gcodes,
  end_gcodes: gcodes,
  on_cancel_gcodes: gcodes,
  on_pause_gcodes: gcodes,
  on_resume_gcodes: gcodes,
});

const aliases = (profiles: Profile[]) => profiles.map((p) => p.alias);

describe('BUILTIN_PROFILES', () => {
  it.each(BUILTIN_PROFILES.map((p) => [p.alias, p] as const))(
    '%s follows the §4.4 format',
    (_alias, profile) => {
      expect(() => profileSchema.parse(profile)).not.toThrow();
    },
  );

  it('has unique aliases', () => {
    const all = BUILTIN_PROFILES.map((p) => p.alias);
    expect(new Set(all).size).toBe(all.length);
  });

  it.each(BUILTIN_PROFILES.map((p) => [p.alias, p] as const))(
    '%s lists the same ids in v1 and v2',
    (_alias, profile) => {
      const v1 = profile.vids_pids.map(([vid, pid]) => `${vid}:${pid}`);
      const v2 = profile.v2.connections.flatMap((c) => c.ids.map((id) => `${id.VID}:${id.PID}`));
      expect(v2).toEqual(v1);
    },
  );

  it('carries the Generic Marlin list of §4.3', () => {
    const marlin = BUILTIN_PROFILES.find((p) => p.alias === 'Marlin');
    expect(marlin?.vids_pids.map(([v, p]) => `${v}:${p}`)).toEqual([
      '0403:6001',
      '16C0:0483',
      '2341:0042',
      '2341:0010',
      '03EB:204B',
      '27B1:0001',
      '1A86:7523',
      '2341:003E',
      '0403:6015',
    ]);
    expect(marlin?.baudrate).toEqual([250000, 115200]);
  });
});

describe('matchProfiles', () => {
  it.each([
    ['2C99', '0002', ['PRUSA_I3_MK3']],
    ['2c99', '000c', ['PRUSA_MINI']],
    ['2C99', '000D', ['PRUSA_MK4']],
    ['1A86', '7523', ['CREALITY_ENDER_3', 'Marlin']],
    ['2341', '0010', ['ULTIMAKER_2', 'Marlin']],
    ['27b1', '0001', ['LULZBOT_RAMBO', 'Marlin']],
    ['0403', '6001', ['Marlin']],
    ['0483', '5740', ['MARLIN_STM32_USB']],
    ['VIRT', '0001', ['VIRTUAL']],
    ['10C4', 'EA60', []],
    [undefined, '7523', []],
    ['1A86', undefined, []],
  ])('%s:%s → %j', (vid, pid, expected) => {
    expect(aliases(matchProfiles(vid, pid))).toEqual(expected);
  });

  it('also matches ids found only in v1 vids_pids', () => {
    const legacy = { ...BUILTIN_PROFILES[0], vids_pids: [['ABCD', '0001']] } as Profile;
    expect(aliases(matchProfiles('abcd', '0001', [legacy]))).toEqual([legacy.alias]);
  });
});

describe('uniqueProfile', () => {
  it.each([
    ['2C99', '0002', 'PRUSA_I3_MK3'],
    ['1A86', '7523', undefined],
    ['FFFF', 'FFFF', undefined],
  ])('%s:%s → %s', (vid, pid, alias) => {
    expect(uniqueProfile(vid, pid)?.alias).toBe(alias);
  });
});

describe('baudCandidates', () => {
  const byAlias = (alias: string) => BUILTIN_PROFILES.find((p) => p.alias === alias);

  it.each([
    ['no profile', undefined, [250000, 115200, 230400, 57600, 38400, 19200, 9600, 500000, 1000000]],
    [
      'Prusa MK3',
      byAlias('PRUSA_I3_MK3'),
      [115200, 250000, 230400, 57600, 38400, 19200, 9600, 500000, 1000000],
    ],
    [
      'Generic Marlin',
      byAlias('Marlin'),
      [250000, 115200, 230400, 57600, 38400, 19200, 9600, 500000, 1000000],
    ],
  ])('%s', (_name, profile, expected) => {
    expect(baudCandidates(profile)).toEqual(expected);
  });

  it('puts a non-standard rate first and keeps every standard one once', () => {
    const odd = { ...BUILTIN_PROFILES[0], baudrate: [76800, 115200] } as Profile;
    const rates = baudCandidates(odd);
    expect(rates.slice(0, 2)).toEqual([76800, 115200]);
    expect(rates).toHaveLength(STANDARD_BAUDRATES.length + 1);
  });
});
