/**
 * Runs a fuzzing campaign: the loop runs in a worker thread (worker.ts) with V8 heap limits, so
 * that the code under test can neither block nor exhaust the process running the campaign. The
 * supervisor keeps a copy of the corpus, collects findings, and watches the worker: an execution
 * that does not finish within `hangMs` is a hang, a worker that dies (out of memory, fatal
 * error) is a crash; either way the input comes from the shared control buffer, and a new worker
 * carries on from the corpus so far.
 */
import { createHash } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { loadCorpusDir } from './corpus-files.js';
import { DEFAULT_BUDGET } from './execute.js';
import type { Budget } from './execute.js';
import { saveFinding, signature } from './findings.js';
import { Control } from './protocol.js';
import type { Stats, WorkerInit, WorkerMessage } from './protocol.js';
import { decodeSample, encodeSample, saveSample } from './sample.js';
import type { Sample } from './sample.js';
import type { Problem } from './target.js';
import { thrownBy } from './thrown.js';
import { loadTarget } from '../targets/index.js';

export interface FuzzOptions {
  target: string;
  seconds: number;
  /** Stop after this many executions even if time remains (reproducible runs). */
  maxRuns?: number | null;
  seed?: number;
  /** Files to start from besides the target's seeds. */
  corpusDir?: string | null;
  /** Where to save findings (inputs and notes); not saved when null. */
  outDir?: string | null;
  /** Where to save every input that joins the corpus. */
  saveCorpusDir?: string | null;
  batch?: number;
  budget?: Budget;
  hangMs?: number;
  statsEveryMs?: number;
  /** Worker V8 heap limit (old generation), MiB: a runaway heap kills the worker, not the campaign. */
  heapLimitMb?: number;
  onProgress?: (p: Progress) => void;
  onFinding?: (f: Finding) => void;
}

export interface Progress extends Stats {
  elapsedMs: number;
  execsPerSecond: number;
  findings: number;
}

export interface Finding extends Problem {
  sample: Sample;
  /** Where the input was saved. */
  path: string | null;
}

export interface FuzzResult {
  seconds: number;
  execs: number;
  execsPerSecond: number;
  corpus: number;
  /** Blocks covered by the seeds and corpus files (counted again at the end: see WorkerMessage 'done'), and at the end. */
  blocksAtStart: number;
  blocksAtEnd: number;
  knownBlocks: number;
  features: number;
  findings: Finding[];
  restarts: number;
  peakHeapUsed: number;
  peakExternal: number;
}

type WorkerEnd = 'done' | 'hang' | 'crash';

export async function fuzz(options: FuzzOptions): Promise<FuzzResult> {
  const budget = options.budget ?? DEFAULT_BUDGET;
  const hangMs = options.hangMs ?? Math.max(2000, 10 * budget.timeMs);
  const target = await loadTarget(options.target);
  const starting = options.corpusDir ? (await loadCorpusDir(options.corpusDir, target)).map(encodeSample) : [];
  if (options.saveCorpusDir) await mkdir(options.saveCorpusDir, { recursive: true });
  const admitted: Uint8Array[] = [];
  /** Hashes of `admitted` (a restarted worker announces the seeds again). */
  const admittedKeys = new Set<string>();
  /** Inputs that hung or killed a worker. */
  const fatal: Uint8Array[] = [];
  const findings = new Map<string, Finding>();
  const pending: Promise<unknown>[] = [];
  const control = new Control();
  const t0 = performance.now();
  /** Stats when the first worker was ready, the running worker's latest, those of the last worker that ended. */
  const stats: { first: Stats | null; last: Stats | null; final: Stats | null; startBlocks: number | null } = {
    first: null, last: null, final: null, startBlocks: null,
  };
  let execsBefore = 0;
  let restarts = 0;
  let peakHeapUsed = 0;
  let peakExternal = 0;

  const stopTimer = setTimeout(() => control.stop(), options.seconds * 1000);

  const recordFatal = (problem: Problem) => {
    const input = control.currentInput();
    fatal.push(input);
    record(problem, decodeSample(input));
  };

  const record = (problem: Problem, sample: Sample) => {
    const key = signature(problem);
    if (findings.has(key)) return;
    const finding: Finding = { ...problem, sample, path: null };
    findings.set(key, finding);
    pending.push((async () => {
      // In this thread: the debugger that finds the throw sites would disturb the worker's coverage.
      if (finding.kind === 'internal-error') finding.detail = [finding.detail, ...(await thrownBy(target, sample))].filter(Boolean).join('\n\n');
      if (options.outDir) finding.path = await saveFinding(options.outDir, options.target, finding, sample);
      options.onFinding?.(finding);
    })());
  };

  const observe = (latest: Stats) => {
    stats.last = latest;
    peakHeapUsed = Math.max(peakHeapUsed, latest.heapUsed);
    peakExternal = Math.max(peakExternal, latest.external);
    const elapsedMs = performance.now() - t0;
    const execs = execsBefore + latest.execs;
    options.onProgress?.({ ...latest, execs, elapsedMs, execsPerSecond: execs / (elapsedMs / 1000), findings: findings.size });
  };

  const runWorker = (maxRuns: number | null): Promise<WorkerEnd> => new Promise((resolve, reject) => {
    control.resetExecution();
    const init: WorkerInit = {
      target: options.target,
      seed: (options.seed ?? 1) + restarts,
      batch: options.batch ?? 32,
      budget,
      maxRuns,
      withSeeds: stats.first === null,
      exclude: fatal,
      corpus: [...starting, ...admitted],
      startingCount: starting.length,
      control: control.buffer,
      statsEveryMs: options.statsEveryMs ?? 1000,
    };
    const worker = new Worker(new URL('./worker-boot.mjs', import.meta.url), {
      execArgv: [],
      workerData: init,
      resourceLimits: { maxOldGenerationSizeMb: options.heapLimitMb ?? 128, maxYoungGenerationSizeMb: 32 },
    });
    let ended = false;
    const end = (how: WorkerEnd) => {
      if (ended) return;
      ended = true;
      clearInterval(watchdog);
      if (stats.last) execsBefore += stats.last.execs;
      stats.final = stats.last ?? stats.final;
      stats.last = null;
      resolve(how);
    };
    const died = (why: string) => {
      if (ended) return;
      if (!control.state().running) {
        ended = true;
        clearInterval(watchdog);
        reject(new Error(`the fuzz worker failed outside an execution: ${why}`));
        return;
      }
      recordFatal({ kind: 'crash', message: `the worker died: ${why}` });
      end('crash');
    };

    let serial = -1;
    let since = performance.now();
    const watchdog = setInterval(() => {
      const s = control.state();
      if (!s.running || s.serial !== serial) {
        serial = s.serial;
        since = performance.now();
        return;
      }
      if (performance.now() - since < hangMs) return;
      recordFatal({ kind: 'hang', message: `one execution did not finish within ${hangMs} ms` });
      end('hang');
      void worker.terminate();
    }, 50);

    worker.on('message', (m: WorkerMessage) => {
      if (m.type === 'ready') {
        stats.first ??= m.stats;
        observe(m.stats);
      } else if (m.type === 'input') {
        const key = createHash('sha1').update(m.sample).digest('hex');
        if (admittedKeys.has(key)) return;
        admittedKeys.add(key);
        admitted.push(m.sample);
        if (options.saveCorpusDir) {
          const name = `input-${String(admitted.length).padStart(6, '0')}`;
          pending.push(saveSample(join(options.saveCorpusDir, name), decodeSample(Buffer.from(m.sample))));
        }
      } else if (m.type === 'finding') {
        record(m.problem, decodeSample(Buffer.from(m.sample)));
      } else if (m.type === 'stats') {
        observe(m.stats);
      } else {
        observe(m.stats);
        stats.startBlocks = m.startBlocks;
        end('done');
      }
    });
    worker.on('error', (err) => died(`${err.name}: ${err.message}`));
    worker.on('exit', (code) => died(`exit code ${code}`));
  });

  try {
    for (;;) {
      const how = await runWorker(options.maxRuns == null ? null : options.maxRuns - execsBefore);
      const runsLeft = options.maxRuns == null || execsBefore < options.maxRuns;
      if (how === 'done' || control.stopped || !runsLeft) break;
      restarts++;
    }
  } finally {
    clearTimeout(stopTimer);
  }
  await Promise.all(pending);
  const seconds = (performance.now() - t0) / 1000;
  const { first } = stats;
  const end = stats.final ?? first;
  return {
    seconds,
    execs: execsBefore,
    execsPerSecond: execsBefore / seconds,
    corpus: end?.corpus ?? 0,
    blocksAtStart: stats.startBlocks ?? first?.coveredBlocks ?? 0,
    blocksAtEnd: end?.coveredBlocks ?? 0,
    knownBlocks: end?.knownBlocks ?? 0,
    features: end?.features ?? 0,
    findings: [...findings.values()],
    restarts,
    peakHeapUsed,
    peakExternal,
  };
}
