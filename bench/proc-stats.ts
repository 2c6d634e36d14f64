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

/**
 * Core-seconds every CPU of the machine has spent working since boot (/proc/stat: user, nice,
 * system, irq and softirq; not idle, I/O wait or time stolen by the hypervisor), so a figure
 * can include the client and the kernel's network and page-cache work, which no one
 * process's times show.
 */
export function machineBusySeconds(): number {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!.trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq … (guest time is already inside user)
  const [user, nice, system, , , irq, softirq] = fields;
  return (user! + nice! + system! + irq! + softirq!) / TICK;
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
