/**
 * The fuzzing loop, run in a worker thread (started by supervisor.ts through worker-boot.mjs):
 * mutate a corpus input, execute it, keep it if it reached new coverage; report what the
 * executions found. Everything it learns is posted to the supervisor, which can restart it from
 * there if it hangs or dies.
 *
 * Reading coverage costs one to three milliseconds (V8 serialises every range of every function
 * that ran), ten times an execution, so inputs are executed in batches with one coverage read per
 * batch. Only when a batch shows a feature that no batch showed before are its inputs executed
 * again one by one, with a read after each, to find which ones to keep. A new block is always
 * noticed this way; a new hit-count bucket of a block may be missed, because a batch sums the
 * counts of its inputs.
 *
 * Re-examining a batch costs a read per input, so batches pay off only when few show something
 * new: with a share `a` of inputs doing so, a read costing R and a re-examination about B reads,
 * the cost per input R/B + a*B*R is least at B = 1/sqrt(a). The batch size follows that from a
 * running estimate of `a`, from 1 (every input read alone, while most inputs are new) up to
 * `init.batch`.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { blockOf, CoverageMap, IdSet } from './coverage.js';
import { execute } from './execute.js';
import type { Execution } from './execute.js';
import { signature } from './findings.js';
import { Mutator, pointerTargets } from './mutate.js';
import type { Parent } from './mutate.js';
import { Control } from './protocol.js';
import type { Stats, WorkerInit, WorkerMessage } from './protocol.js';
import { Random } from './random.js';
import { decodeSample, encodeSample } from './sample.js';
import type { Sample } from './sample.js';
import type { Problem } from './target.js';
import { loadTarget } from '../targets/index.js';

const init = workerData as WorkerInit;
const port = parentPort!;
const post = (m: WorkerMessage) => port.postMessage(m);

const target = await loadTarget(init.target);
const control = new Control(init.control);
const rng = new Random(init.seed);
const mutator = new Mutator(rng, target.dictionary);
const coverage = new CoverageMap(target.coverageFilter);
const batchFeatures = new IdSet();
const corpus: Parent[] = [];
const reported = new Set<string>();
let execs = 0;
let batches = 0;
let novelBatches = 0;
/** Running estimate of the share of inputs that show something new. */
let novelty = 1;
const batchSize = () => Math.max(1, Math.min(init.batch, Math.round(1 / Math.sqrt(novelty))));

function stats(): Stats {
  const m = process.memoryUsage();
  return {
    execs, batches, novelBatches, batchSize: batchSize(), corpus: corpus.length,
    coveredBlocks: coverage.coveredBlocks, knownBlocks: coverage.knownBlocks, features: coverage.featureCount,
    heapUsed: m.heapUsed, external: m.external,
  };
}

async function executeOne(sample: Sample): Promise<Execution> {
  control.begin(sample);
  const result = await execute(target, sample, init.budget);
  control.end();
  execs++;
  return result;
}

/**
 * A slow execution counts only if it is slow every time it runs again: a pause for garbage
 * collection, or other processes on the machine, slow one run, not all of them.
 */
const SLOW_CONFIRMATIONS = 3;

async function fastestOf(runs: number, sample: Sample): Promise<number> {
  let fastest = Infinity;
  for (let i = 0; i < runs && fastest > init.budget.timeMs; i++) fastest = Math.min(fastest, (await executeOne(sample)).ms);
  return fastest;
}

/** Posts each problem not reported before, once confirmed and with what explains it. */
async function report(problems: readonly Problem[], sample: Sample): Promise<void> {
  for (const p of problems) {
    const key = signature(p);
    if (reported.has(key)) continue;
    let problem = p;
    if (p.kind === 'slow') {
      const fastest = await fastestOf(SLOW_CONFIRMATIONS, sample);
      if (fastest <= init.budget.timeMs) continue;
      problem = { ...p, message: `one execution took ${fastest.toFixed(0)} ms, the fastest of ${SLOW_CONFIRMATIONS + 1} (budget ${init.budget.timeMs} ms)` };
    }
    reported.add(key);
    post({ type: 'finding', problem, sample: encodeSample(sample) });
  }
}

/** Adds an input to the corpus; `announce`: tell the supervisor (which already has the inputs it gave). */
function admit(sample: Sample, features: readonly number[], announce: boolean): void {
  coverage.add(features);
  corpus.push({ sample, pointers: pointerTargets(sample) });
  if (announce) post({ type: 'input', sample: encodeSample(sample) });
}

/** Executes one input alone and keeps it if it reached new coverage. */
async function tryAlone(sample: Sample, announce = true): Promise<void> {
  await report((await executeOne(sample)).problems, sample);
  const features = coverage.take();
  if (coverage.isNew(features)) admit(sample, features, announce);
}

/** A parent for the next child: any corpus input, the recent ones more often (they are the least explored). */
function parent(): Parent {
  if (rng.chance(0.3)) return corpus[corpus.length - 1 - rng.below(Math.min(corpus.length, 32))]!;
  return rng.pick(corpus);
}

async function fuzzBatch(): Promise<void> {
  const size = batchSize();
  const batch: Sample[] = [];
  for (let k = 0; k < size; k++) {
    const child = mutator.mutate(parent(), () => rng.pick(corpus).sample);
    if (rng.chance(0.5)) target.fixup(child);
    const { problems } = await executeOne(child);
    if (problems.length > 0) await report(problems, child);
    batch.push(child);
  }
  const features = coverage.take();
  batches++;
  let novel = false;
  if (size === 1) novel = coverage.isNew(features);
  else for (const f of features) novel = batchFeatures.add(f) || novel;
  novelty = 0.95 * novelty + (novel ? 0.05 / size : 0);
  if (!novel) return;
  novelBatches++;
  if (size === 1) admit(batch[0]!, features, true);
  else for (const child of batch) await tryAlone(child);
}

/** Blocks that the starting inputs cover, by what is known of the code's blocks now. */
async function startingBlocks(): Promise<number> {
  const blocks = new IdSet();
  for (const sample of [...target.seeds(), ...init.corpus.slice(0, init.startingCount).map((b) => decodeSample(Buffer.from(b)))]) {
    if (isExcluded(sample)) continue;
    await executeOne(sample);
    for (const f of coverage.take()) blocks.add(blockOf(f));
  }
  return blocks.size;
}

const excluded = init.exclude.map((b) => Buffer.from(b));
function isExcluded(sample: Sample): boolean {
  return excluded.length > 0 && excluded.some((x) => x.equals(encodeSample(sample)));
}

for (const sample of init.withSeeds ? target.seeds() : []) {
  if (!isExcluded(sample)) await tryAlone(sample);
}
for (const encoded of init.corpus) {
  if (control.stopped) break;
  const sample = decodeSample(Buffer.from(encoded));
  if (!isExcluded(sample)) await tryAlone(sample, false);
}
if (corpus.length === 0) throw new Error(`target ${target.name}: no starting input reached any coverage`);
post({ type: 'ready', stats: stats() });

let lastStats = performance.now();
while (!control.stopped && (init.maxRuns === null || execs < init.maxRuns)) {
  await fuzzBatch();
  if (performance.now() - lastStats >= init.statsEveryMs) {
    lastStats = performance.now();
    post({ type: 'stats', stats: stats() });
  }
}
const startBlocks = await startingBlocks();
post({ type: 'done', stats: stats(), startBlocks });
