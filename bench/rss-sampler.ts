/**
 * Samples a process's resident memory from /proc/PID/status every ~50 ms (VmRSS), and reads
 * its high-water mark (VmHWM) at the end. The mark is reset at the start by writing 5 to
 * /proc/PID/clear_refs, so it covers this phase only; where the kernel refuses, the sampled
 * peak alone is reported.
 */
import { readFileSync, writeFileSync } from 'node:fs';

export interface RssPeak {
  /** Largest VmRSS sampled, bytes. */
  sampledPeak: number;
  /** VmHWM at the end, bytes, when it could be reset at the start (else undefined). */
  highWaterMark: number | undefined;
  samples: number;
  /** The larger of the two: the figure reported. */
  peak: number;
}

function statusField(pid: number, field: 'VmRSS' | 'VmHWM'): number | undefined {
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

export function currentRss(pid: number): number | undefined {
  return statusField(pid, 'VmRSS');
}

export class RssSampler {
  private sampledPeak = 0;
  private samples = 0;
  private readonly timer: NodeJS.Timeout;
  private readonly hwmReset: boolean;

  constructor(private readonly pid: number, intervalMs = 50) {
    try {
      writeFileSync(`/proc/${pid}/clear_refs`, '5');
      this.hwmReset = true;
    } catch {
      this.hwmReset = false;
    }
    this.sample();
    this.timer = setInterval(() => this.sample(), intervalMs);
  }

  stop(): RssPeak {
    clearInterval(this.timer);
    this.sample();
    const highWaterMark = this.hwmReset ? statusField(this.pid, 'VmHWM') : undefined;
    return {
      sampledPeak: this.sampledPeak,
      highWaterMark,
      samples: this.samples,
      peak: Math.max(this.sampledPeak, highWaterMark ?? 0),
    };
  }

  private sample(): void {
    const rss = statusField(this.pid, 'VmRSS');
    if (rss === undefined) return;
    this.samples++;
    if (rss > this.sampledPeak) this.sampledPeak = rss;
  }
}
