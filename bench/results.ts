/** What the sections measure, every run kept; report.ts turns it into the table. */
import type { ToolRun } from './formats-child.js';

/** Throughputs in MiB/s, sizes in bytes, latencies in ms; one entry per run. */
export interface Results {
  baselines: {
    diskWrite?: number[];
    md5?: number[];
    sha512?: number[];
    bareDownload?: number[];
    bareUpload?: number[];
    /** Core-seconds per GiB the whole machine spent on the bare PUT: curl, the server, the kernel. */
    bareUploadMachineCpu?: number[];
    /** POST /json from the create loop's clients, requests/s. */
    bareRequests?: number[];
    /** Sequential GETs of a list-page-sized JSON, ms. */
    bareLatency?: { p50: number[]; p99: number[] };
  };
  upload?: number[];
  download?: number[];
  concurrent?: { aggregate: number[]; failures: number; attempted: number };
  rss: {
    idle?: number;
    upload?: number[];
    concurrent?: number[];
    huge?: number[];
    /** Whether VmHWM could be reset per phase (else only the 50 ms samples count). */
    highWaterMarkUsed?: boolean;
  };
  hugeUpload?: number[];
  /** CPU per GiB moved, core-seconds: the server's threads, its main thread alone, and the whole machine (curl and kernel included). */
  cpu: Partial<Record<'upload' | 'download' | 'concurrent', { total: number[]; main: number[]; machine: number[] }>>;
  creates?: { rates: number[]; failures: number; concurrency: number };
  populate?: { images: number; rate: number };
  list: Record<string, { p50: number[]; p99: number[]; page: number }>;
  /** Conversions by case name: every run of each tool, seconds. */
  convert: Record<string, { imago: ToolRun[]; qemu: ToolRun[] }>;
  /** Verdicts for a 10 GiB sparse qcow2, ms: the first call of each fresh process, then warm calls. */
  inspect?: { first: number[]; warm: number[] };
  /** Server GC pauses while a figure was measured, summed over its runs. */
  gc: Partial<Record<'upload' | 'create' | 'list', { count: number; totalMs: number; maxMs: number; requests: number }>>;
}

export function emptyResults(): Results {
  return { baselines: {}, rss: {}, cpu: {}, list: {}, convert: {}, gc: {} };
}

/**
 * One part of the benchmark: started once, then measured once per round, so every round
 * measures the baselines and Imago back to back and a neighbour's burst hits both alike.
 */
export function addGc(results: Results, key: 'upload' | 'create' | 'list', pauses: { count: number; totalMs: number; maxMs: number }, requests: number): void {
  const g = (results.gc[key] ??= { count: 0, totalMs: 0, maxMs: 0, requests: 0 });
  g.count += pauses.count;
  g.totalMs += pauses.totalMs;
  g.maxMs = Math.max(g.maxMs, pauses.maxMs);
  g.requests += requests;
}

export interface Phase {
  round(run: number): Promise<void>;
  stop(): Promise<void>;
}
