/**
 * CPU accounting from /proc: core-seconds a process (all its threads, exited ones included)
 * and its main thread have used, and the kernel's CPU pressure. CPU time per GiB moved is far
 * less sensitive to neighbours on a shared machine than wall time, and shows what a 2-core
 * budget allows.
 */
import { readFileSync } from 'node:fs';

const TICK = 100; // USER_HZ: the unit of utime/stime on Linux

function statTimes(path: string): number {
  try {
    const text = readFileSync(path, 'utf8');
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    // After "pid (comm) ", field 3 (state) is index 0; utime and stime are fields 14 and 15.
    return (Number(fields[11]) + Number(fields[12])) / TICK;
  } catch {
    return NaN;
  }
}

export interface CpuTimes {
  /** Every thread of the process, seconds. */
  total: number;
  /** The main (event loop) thread, seconds. */
  main: number;
}

export function cpuTimes(pid: number): CpuTimes {
  return { total: statTimes(`/proc/${pid}/stat`), main: statTimes(`/proc/${pid}/task/${pid}/stat`) };
}

export function cpuSince(pid: number, before: CpuTimes): CpuTimes {
  const now = cpuTimes(pid);
  return { total: now.total - before.total, main: now.main - before.main };
}

/** Microseconds some task waited for a CPU (PSI), or NaN where the kernel has no PSI. */
export function cpuPressureMicros(): number {
  try {
    const match = /^some .*total=(\d+)/m.exec(readFileSync('/proc/pressure/cpu', 'utf8'));
    return match ? Number(match[1]) : NaN;
  } catch {
    return NaN;
  }
}
