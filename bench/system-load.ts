/**
 * How busy the whole machine was during a run. The bench shares its two
 * cores with whatever else runs (other people's test suites included), and a
 * host that waits for a core is slower through no fault of its own; the
 * report shows the CPU time that neither the host nor the printer used, so a
 * reader can tell a slow host from a busy machine.
 */
import { readFileSync } from 'node:fs';

/** Linux reports /proc/stat in USER_HZ ticks, 100 per second on every common build. */
const TICKS_PER_S = 100;

/** Busy CPU seconds of the whole machine since boot (all cores, idle and iowait excluded). */
export function machineBusyS(): number | null {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
    const fields = line.trim().split(/\s+/).slice(1).map(Number);
    const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = fields;
    return (user + nice + system + irq + softirq + steal) / TICKS_PER_S;
  } catch {
    return null; // not Linux: the report shows no load figure
  }
}

/** CPU seconds (user + sys) of a process and its live descendants, from /proc. */
export function processTreeCpuS(pid: number): number {
  let total = 0;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which is in parentheses and may contain spaces.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    total += (Number(fields[11]) + Number(fields[12])) / TICKS_PER_S;
    const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim();
    for (const child of children === '' ? [] : children.split(' ')) {
      total += processTreeCpuS(Number(child));
    }
  } catch {
    // the process is gone; it contributes nothing more
  }
  return total;
}

/** Busy time of the machine and of the processes the bench accounts for, at one moment. */
export interface LoadMark {
  machineS: number | null;
  printerS: number;
  benchS: number;
}

export function markLoad(printerPid: number | null): LoadMark {
  const usage = process.cpuUsage();
  return {
    machineS: machineBusyS(),
    printerS: printerPid === null ? 0 : processTreeCpuS(printerPid),
    benchS: (usage.user + usage.system) / 1e6,
  };
}

/**
 * Share of the machine's capacity (all cores) that something other than the
 * host, the printer (with its pty relay) and the bench used between two marks, in %.
 */
export function otherLoadPct(
  start: LoadMark,
  end: LoadMark,
  hostCpuS: number,
  wallS: number,
  cores: number,
): number | null {
  if (start.machineS === null || end.machineS === null || wallS <= 0) return null;
  const ours = hostCpuS + (end.printerS - start.printerS) + (end.benchS - start.benchS);
  const other = end.machineS - start.machineS - ours;
  return Math.max(0, (100 * other) / (wallS * cores));
}
