/**
 * Coverage-guided fuzzing from the command line (docs/fuzzing.md).
 *
 *   node --import tsx fuzz/run.ts --target inspect --seconds 60 [--corpus DIR] [--out DIR] [--seed N]
 *        [--runs N] [--batch N] [--timeout MS] [--memory MIB] [--save-corpus DIR] [--progress SECONDS]
 *   node --import tsx fuzz/run.ts --target inspect --replay FILE...
 *   node --import tsx fuzz/run.ts --target inspect --minimize FILE --out DIR
 *
 * A campaign prints its progress and a summary, saves each finding's input and a note in the out
 * directory, and exits 1 if there was any finding. --replay runs saved inputs once and prints
 * their problems; --minimize shrinks an input while it shows the same first problem.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_BUDGET, execute } from './engine/execute.js';
import type { Budget } from './engine/execute.js';
import { signature } from './engine/findings.js';
import { minimize } from './engine/minimize.js';
import { loadSample, saveSample } from './engine/sample.js';
import { fuzz } from './engine/supervisor.js';
import type { Finding, Progress } from './engine/supervisor.js';
import { thrownBy } from './engine/thrown.js';
import { loadTarget } from './targets/index.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    target: { type: 'string', default: 'inspect' },
    seconds: { type: 'string', default: '60' },
    runs: { type: 'string' },
    seed: { type: 'string', default: '1' },
    corpus: { type: 'string' },
    out: { type: 'string' },
    'save-corpus': { type: 'string' },
    batch: { type: 'string', default: '32' },
    timeout: { type: 'string', default: String(DEFAULT_BUDGET.timeMs) },
    memory: { type: 'string', default: String(DEFAULT_BUDGET.memoryBytes / 2 ** 20) },
    progress: { type: 'string', default: '10' },
    replay: { type: 'boolean', default: false },
    minimize: { type: 'string' },
  },
});

function int(name: string, value: string | undefined, min: number): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < min) throw new Error(`--${name} must be an integer >= ${min}`);
  return n;
}

const budget: Budget = { timeMs: int('timeout', values.timeout, 1), memoryBytes: int('memory', values.memory, 1) * 2 ** 20 };
const MiB = (n: number) => `${(n / 2 ** 20).toFixed(1)} MiB`;

function progressLine(p: Progress): string {
  return `[${(p.elapsedMs / 1000).toFixed(0).padStart(5)} s] execs ${p.execs} (${p.execsPerSecond.toFixed(0)}/s)  batches ${p.novelBatches}/${p.batches} new (size ${p.batchSize})  corpus ${p.corpus}  `
    + `blocks ${p.coveredBlocks}/${p.knownBlocks}  features ${p.features}  findings ${p.findings}  heap ${MiB(p.heapUsed)}  external ${MiB(p.external)}`;
}

function findingLine(f: Finding): string {
  return `FINDING ${f.kind}: ${f.message}${f.path ? `\n  input: ${f.path}` : ''}`;
}

async function replay(files: string[]): Promise<number> {
  const target = await loadTarget(values.target!);
  let failed = 0;
  for (const file of files) {
    const sample = await loadSample(file);
    const { problems, ms } = await execute(target, sample, budget);
    console.log(`${file}: ${problems.length === 0 ? 'ok' : `${problems.length} problem(s)`} (${ms.toFixed(1)} ms)`);
    for (const p of problems) {
      console.log(`  ${p.kind}: ${p.message}`);
      if (p.detail) console.log(p.detail.replace(/^/gm, '    '));
      if (p.kind === 'internal-error') for (const t of await thrownBy(target, sample)) console.log(`  thrown: ${t.replace(/\n/g, '\n    ')}`);
    }
    if (problems.length > 0) failed++;
  }
  return failed > 0 ? 1 : 0;
}

async function shrink(file: string): Promise<number> {
  const target = await loadTarget(values.target!);
  const sample = await loadSample(file);
  const { problems } = await execute(target, sample, budget);
  const first = problems[0];
  if (!first) {
    console.log(`${file}: no problem to keep while minimizing`);
    return 1;
  }
  const key = signature(first);
  const { sample: small, runs } = await minimize(target, sample, key, budget);
  const out = values.out ?? '.';
  const path = await saveSample(join(out, `${basename(file).replace(/(\.sparse\.json|\.img)$/, '')}.min`), small, 64 << 10);
  const kept = small.extents.reduce((n, e) => n + e.data.length, 0);
  console.log(`${first.kind}: ${first.message}\nminimized in ${runs} runs: virtual size ${small.size}, ${small.extents.length} extent(s), ${kept} bytes kept -> ${path}`);
  return 0;
}

async function campaign(): Promise<number> {
  const outDir = values.out ?? (await mkdtemp(join(tmpdir(), 'imago-fuzz-')));
  const progressEvery = int('progress', values.progress, 1) * 1000;
  let lastPrint = 0;
  const result = await fuzz({
    target: values.target!,
    seconds: int('seconds', values.seconds, 1),
    maxRuns: values.runs === undefined ? null : int('runs', values.runs, 1),
    seed: int('seed', values.seed, 0),
    corpusDir: values.corpus ?? null,
    outDir,
    saveCorpusDir: values['save-corpus'] ?? null,
    batch: int('batch', values.batch, 1),
    budget,
    onProgress: (p) => {
      if (p.elapsedMs - lastPrint < progressEvery) return;
      lastPrint = p.elapsedMs;
      console.log(progressLine(p));
    },
    onFinding: (f) => console.log(findingLine(f)),
  });
  console.log([
    `target ${values.target}: ${result.execs} executions in ${result.seconds.toFixed(1)} s (${result.execsPerSecond.toFixed(0)}/s), ${result.restarts} worker restart(s)`,
    `corpus ${result.corpus} inputs; blocks covered ${result.blocksAtStart} at start (seeds${values.corpus ? ' and corpus' : ''}), ${result.blocksAtEnd} at the end (of ${result.knownBlocks} known); ${result.features} features`,
    `worker peak heap ${MiB(result.peakHeapUsed)}, external ${MiB(result.peakExternal)}`,
    `findings: ${result.findings.length}${result.findings.length > 0 ? ` (saved in ${outDir})` : ''}`,
    ...result.findings.map((f) => `  ${f.kind}: ${f.message}${f.path ? ` [${f.path}]` : ''}`),
  ].join('\n'));
  return result.findings.length > 0 ? 1 : 0;
}

let code: number;
if (values.replay) code = await replay(positionals);
else if (values.minimize) code = await shrink(values.minimize);
else code = await campaign();
process.exit(code);
