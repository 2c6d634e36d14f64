/**
 * Fuzz target: the disk-image inspectors (src/formats/inspect). Every input is inspected twice,
 *   (a) by `inspectSource` over a ByteSource (reads beyond the kept bytes return zeros), and
 *   (b) by a `StreamingInspector` fed the same bytes in chunks of random sizes (stopping at an
 *       early refusal, as an upload does),
 * with the same options, and then checked: nothing throws, both verdicts are well formed (see
 * inspect.checks.ts), neither is an internal error turned into a refusal, they agree, and an
 * early refusal is the final verdict. The options (declared format, strictness, encryption, size
 * limit) and the chunk sizes are drawn from the input's fingerprint, so a saved input replays
 * exactly.
 */
import { inspectSource, StreamingInspector } from '../../src/formats/inspect/index.js';
import type { InspectionVerdict, InspectOptions, RefusedVerdict } from '../../src/formats/inspect/index.js';
import { Random } from '../engine/random.js';
import { fingerprint, readAt } from '../engine/sample.js';
import type { Sample } from '../engine/sample.js';
import type { Problem, Target } from '../engine/target.js';
import { inspectSeeds } from '../seeds/index.js';
import { essence, internalError, summary, verdictProblems } from './inspect.checks.js';
import { INSPECT_DICTIONARY } from './inspect.dictionary.js';
import { repairChecksums } from './inspect.fixups.js';

/** Largest chunk pushed (the size of the shared zeros that gaps are read from). */
const CHUNK_MAX = 1 << 20;
/** Chunks grow with the file so that no input needs more pushes than this. */
const MAX_PUSHES = 1024;
const DECLARED = ['raw', 'qcow2', 'vmdk', 'vhd', 'vpc', 'vhdx', 'vdi', 'iso', 'ami', 'aki', 'ari', 'ploop', 'qed', 'bogus'];

function optionsFor(rng: Random): InspectOptions {
  return {
    declaredFormat: rng.chance(0.25) ? rng.pick(DECLARED) : null,
    requireFormatMatch: rng.chance(0.8),
    allowEncrypted: rng.chance(0.15),
    maxVirtualSize: rng.chance(0.1) ? rng.pick([0, 512, 2 ** 20, 2 ** 32, 2 ** 53]) : 2 ** 40,
  };
}

function exception(driver: string, err: unknown): Problem {
  const e = err instanceof Error ? err : new Error(String(err));
  return { kind: 'exception', message: `${driver} threw ${e.name}: ${e.message}`, detail: e.stack ?? String(err) };
}

function stream(sample: Sample, options: InspectOptions, rng: Random): { verdict: InspectionVerdict; early: RefusedVerdict | null } {
  const inspector = new StreamingInspector(options);
  const least = Math.ceil(sample.size / MAX_PUSHES);
  let early: RefusedVerdict | null = null;
  for (let at = 0; at < sample.size && !early;) {
    const n = Math.min(CHUNK_MAX, Math.max(least, rng.logSize(CHUNK_MAX)));
    early = inspector.push(readAt(sample, at, n));
    at += n;
  }
  return { verdict: inspector.finish(), early };
}

async function run(sample: Sample): Promise<Problem[]> {
  const rng = new Random(fingerprint(sample));
  const options = optionsFor(rng);
  const problems: Problem[] = [];
  const verdicts: [string, InspectionVerdict][] = [];
  try {
    verdicts.push(['random-access', await inspectSource({ size: sample.size, read: async (offset, length) => readAt(sample, offset, length) }, options)]);
  } catch (err) {
    problems.push(exception('inspectSource', err));
  }
  try {
    const { verdict, early } = stream(sample, options, rng);
    verdicts.push(['streaming', verdict]);
    if (early && JSON.stringify(early) !== JSON.stringify(verdict)) {
      problems.push({ kind: 'disagreement', message: `streaming: early refusal ${summary(early)} but final verdict ${summary(verdict)}` });
    }
  } catch (err) {
    problems.push(exception('StreamingInspector', err));
  }
  // A problem both verdicts share is one problem (most are: the drivers run the same inspectors).
  const found = new Map<string, { kind: Problem['kind']; drivers: string[]; verdict: InspectionVerdict }>();
  for (const [driver, v] of verdicts) {
    const internal = internalError(v);
    const texts = [...verdictProblems(v, sample.size, options).map((t) => ['invalid-result', t] as const), ...(internal ? [['internal-error', internal] as const] : [])];
    for (const [kind, text] of texts) {
      const seen = found.get(text);
      if (seen) seen.drivers.push(driver);
      else found.set(text, { kind, drivers: [driver], verdict: v });
    }
  }
  for (const [text, { kind, drivers, verdict }] of found) {
    problems.push({ kind, message: `${drivers.join(' and ')}: ${text}`, detail: `options ${JSON.stringify(options)}\nverdict ${JSON.stringify(verdict)}` });
  }
  if (verdicts.length === 2 && essence(verdicts[0]![1]) !== essence(verdicts[1]![1])) {
    problems.push({
      kind: 'disagreement',
      message: `random-access ${summary(verdicts[0]![1])} | streaming ${summary(verdicts[1]![1])}`,
      detail: `options ${JSON.stringify(options)}`,
    });
  }
  return problems;
}

export const inspectTarget: Target = {
  name: 'inspect',
  coverageFilter: '/src/formats/',
  dictionary: INSPECT_DICTIONARY,
  seeds: () => inspectSeeds().map((s) => s.sample),
  fixup: repairChecksums,
  run,
  // The metadata the inspector reads from a real image: its tables and secondary headers.
  async rangesOfInterest(file) {
    const ranges: [number, number][] = [];
    await inspectSource({ size: file.size, read: (offset, length) => (ranges.push([offset, length]), file.read(offset, length)) });
    return ranges;
  },
  // Refusals are how inspectors stop; any other exception they throw is a bug.
  isExpectedException: (description) => description.startsWith('Refusal'),
};
