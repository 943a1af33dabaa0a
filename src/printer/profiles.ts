/**
 * Built-in printer profiles, in the format of the original client's
 * default_printer_profiles.json (protocol doc §4.4), trimmed to the fields we use.
 * USB ids are taken from the vendors' firmware or from device reports, not guessed:
 * MINI 2C99:000C and MK4 2C99:000D from Prusa-Firmware-Buddy's USB descriptor, RAMBo
 * 27B1:0001 from UltiMachine's 32U2 firmware, Ultimaker 2 2341:0010 from the board's
 * own descriptor ("Ultimaker 2.0", Ultimaker BV). Generic Marlin's list is the one of §4.3.
 */

/** A USB id pair: 4 uppercase hex digits, or a 4-character pseudo id such as `VIRT`. */
export interface UsbId {
  readonly VID: string;
  readonly PID: string;
}

export interface ProfileConnection {
  readonly id: string;
  readonly type: string;
  readonly ids: readonly UsbId[];
}

type GcodeList = readonly string[];

/** Read-only: the built-in table is shared by every printer, so nobody may edit it in place. */
export interface Profile {
  readonly alias: string;
  readonly name: string;
  readonly vids_pids: readonly (readonly [vid: string, pid: string])[];
  /** Probed in this order; see baudCandidates(). */
  readonly baudrate: readonly number[];
  readonly v2: {
    readonly vendor: string;
    readonly model: string;
    readonly connections: readonly ProfileConnection[];
  };
  readonly allow_comments?: boolean;
  /** Do not pulse DTR on connect (native-USB boards have no reset wired to it). */
  readonly no_DTR?: boolean;
  readonly extruder_count?: number;
  readonly start_gcodes?: GcodeList;
  readonly end_gcodes?: GcodeList;
  readonly on_cancel_gcodes?: GcodeList;
  readonly on_pause_gcodes?: GcodeList;
  readonly on_resume_gcodes?: GcodeList;
}

/** Marlin's common rates, fastest-first for 8-bit boards (250000 is their default). */
export const STANDARD_BAUDRATES: readonly number[] = [
  250000, 115200, 230400, 57600, 38400, 19200, 9600, 500000, 1000000,
];

const COOL_DOWN = ['M104 S0', 'M140 S0', 'M107'];
/** No moves: end_gcodes also run right after connect, when the head's position is unknown. */
const MARLIN_END = [...COOL_DOWN, 'M84'];

/** A USB serial profile: the v1 pairs and the v2 connection list carry the same ids. */
function usbProfile(
  base: Omit<Profile, 'vids_pids' | 'v2'> & { vendor: string; model: string },
  ids: (readonly [string, string])[],
): Profile {
  const { vendor, model, ...rest } = base;
  return {
    ...rest,
    vids_pids: ids,
    v2: {
      vendor,
      model,
      connections: [
        { id: 'serial', type: 'USB_SERIAL', ids: ids.map(([VID, PID]) => ({ VID, PID })) },
      ],
    },
  };
}

export const BUILTIN_PROFILES: readonly Profile[] = [
  usbProfile(
    {
      alias: 'PRUSA_I3_MK3',
      name: 'Original Prusa i3 MK3/MK3S/MK3S+',
      vendor: 'Prusa Research',
      model: 'i3 MK3S+',
      baudrate: [115200],
      end_gcodes: MARLIN_END,
      on_cancel_gcodes: MARLIN_END,
    },
    [['2C99', '0002']],
  ),
  usbProfile(
    {
      alias: 'PRUSA_MINI',
      name: 'Original Prusa MINI/MINI+',
      vendor: 'Prusa Research',
      model: 'MINI+',
      baudrate: [115200],
      no_DTR: true,
      end_gcodes: MARLIN_END,
      on_cancel_gcodes: MARLIN_END,
    },
    [['2C99', '000C']],
  ),
  usbProfile(
    {
      alias: 'PRUSA_MK4',
      name: 'Original Prusa MK4',
      vendor: 'Prusa Research',
      model: 'MK4',
      baudrate: [115200],
      no_DTR: true,
      end_gcodes: MARLIN_END,
      on_cancel_gcodes: MARLIN_END,
    },
    [['2C99', '000D']],
  ),
  usbProfile(
    {
      alias: 'CREALITY_ENDER_3',
      name: 'Creality Ender-3 / Ender-3 Pro / Ender-3 V2 (CH340)',
      vendor: 'Creality',
      model: 'Ender-3',
      baudrate: [115200],
      end_gcodes: MARLIN_END,
      on_pause_gcodes: ['G91', 'G1 Z5 F600', 'G90'],
      on_resume_gcodes: ['G91', 'G1 Z-5 F600', 'G90'],
    },
    [['1A86', '7523']],
  ),
  usbProfile(
    {
      alias: 'MARLIN_STM32_USB',
      name: 'Marlin on an STM32 board with native USB (BIGTREETECH SKR and similar)',
      vendor: 'Generic',
      model: 'Marlin STM32 USB CDC',
      baudrate: [115200, 250000],
      no_DTR: true,
      end_gcodes: MARLIN_END,
    },
    [['0483', '5740']],
  ),
  usbProfile(
    {
      alias: 'ULTIMAKER_2',
      name: 'Ultimaker 2 / 2+',
      vendor: 'Ultimaker',
      model: 'Ultimaker 2',
      baudrate: [250000],
      end_gcodes: MARLIN_END,
    },
    [['2341', '0010']],
  ),
  usbProfile(
    {
      alias: 'LULZBOT_RAMBO',
      name: 'LulzBot TAZ / Mini (RAMBo, Mini-RAMBo)',
      vendor: 'LulzBot',
      model: 'TAZ / Mini',
      baudrate: [250000, 115200],
      end_gcodes: MARLIN_END,
    },
    [['27B1', '0001']],
  ),
  usbProfile(
    {
      alias: 'Marlin',
      name: 'Generic Marlin',
      vendor: 'Generic',
      model: 'Marlin',
      baudrate: [250000, 115200],
      end_gcodes: MARLIN_END,
      on_cancel_gcodes: MARLIN_END,
    },
    [
      ['0403', '6001'],
      ['16C0', '0483'],
      ['2341', '0042'],
      ['2341', '0010'],
      ['03EB', '204B'],
      ['27B1', '0001'],
      ['1A86', '7523'],
      ['2341', '003E'],
      ['0403', '6015'],
    ],
  ),
  // printos' own virtual printer (a pty, hence USB_SERIAL). The original's virtual printer
  // posed as an Arduino Mega (2341:0042); ours takes the pseudo VID VIRT so that it can
  // never be mistaken for real hardware.
  usbProfile(
    {
      alias: 'VIRTUAL',
      name: 'printos virtual printer',
      vendor: 'printos',
      model: 'Virtual Marlin',
      baudrate: [250000],
      no_DTR: true,
      end_gcodes: MARLIN_END,
    },
    [['VIRT', '0001']],
  ),
];

/**
 * Every profile that claims this USB id: v2 connection ids, then v1 `vids_pids`, as the
 * original checks them. Several matches are normal (a CH340 serves many printers); then
 * the user or the cloud chooses, never us.
 */
export function matchProfiles(vid?: string, pid?: string, profiles = BUILTIN_PROFILES): Profile[] {
  if (!vid || !pid) return [];
  const want = `${vid}:${pid}`.toUpperCase();
  return profiles.filter((profile) => profileIds(profile).has(want));
}

/** The profile to use without asking: only when exactly one matches. */
export function uniqueProfile(
  vid?: string,
  pid?: string,
  profiles = BUILTIN_PROFILES,
): Profile | undefined {
  const matches = matchProfiles(vid, pid, profiles);
  return matches.length === 1 ? matches[0] : undefined;
}

function profileIds(profile: Profile): Set<string> {
  const v2 = profile.v2.connections.flatMap((c) => c.ids.map((id) => `${id.VID}:${id.PID}`));
  const v1 = profile.vids_pids.map(([vid, pid]) => `${vid}:${pid}`);
  return new Set([...v2, ...v1].map((id) => id.toUpperCase()));
}

/** Baud rates to probe: the profile's own first, then the rest of the standard list. */
export function baudCandidates(profile?: Profile): number[] {
  return [...new Set([...(profile?.baudrate ?? []), ...STANDARD_BAUDRATES])];
}
