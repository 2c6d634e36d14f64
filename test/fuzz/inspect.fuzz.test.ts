/**
 * The disk-image inspectors under the coverage-guided fuzzer (fuzz/, docs/fuzzing.md). A short
 * seeded run must find nothing and must cover more than its seeds, which shows that the coverage
 * feedback works; long campaigns are run by hand (the command is in docs/fuzzing.md). The seeds
 * themselves are checked first: a seed that no longer gets its verdict would quietly leave a
 * format's deeper code unfuzzed.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { DEFAULT_BUDGET, execute } from '../../fuzz/engine/execute.js';
import { loadSample, readAt } from '../../fuzz/engine/sample.js';
import { fuzz } from '../../fuzz/engine/supervisor.js';
import { inspectSeeds } from '../../fuzz/seeds/index.js';
import { loadTarget } from '../../fuzz/targets/index.js';
import { inspectSource } from '../../src/formats/inspect/index.js';

describe('inspect fuzz target', () => {
  it('starts from seeds that get the verdict each was built for', async () => {
    for (const seed of inspectSeeds()) {
      const v = await inspectSource({ size: seed.sample.size, read: async (offset, length) => readAt(seed.sample, offset, length) });
      assert.equal(v.ok ? v.format : `refused:${v.reason}`, seed.expect, `${seed.name}: ${JSON.stringify(v)}`);
    }
  });

  it('no longer finds a problem in any saved finding (fuzz/findings)', async () => {
    const target = await loadTarget('inspect');
    const dir = new URL('../../fuzz/findings/', import.meta.url);
    const files = (await readdir(dir)).filter((f) => f.endsWith('.sparse.json'));
    assert.ok(files.length >= 3);
    for (const file of files) {
      const { problems } = await execute(target, await loadSample(new URL(file, dir).pathname), DEFAULT_BUDGET);
      assert.deepEqual(problems.map((p) => `${p.kind}: ${p.message}`), [], file);
    }
  });

  it('finds nothing in a short seeded run, and covers more than the seeds', async (t) => {
    const out = await mkdtemp(join(tmpdir(), 'imago-fuzz-ci-'));
    const result = await fuzz({ target: 'inspect', seconds: 25, maxRuns: 6000, seed: 1, outDir: out });
    t.diagnostic(`${result.execs} executions in ${result.seconds.toFixed(1)} s, corpus ${result.corpus}, blocks ${result.blocksAtStart} -> ${result.blocksAtEnd}`);
    if (result.findings.length === 0) await rm(out, { recursive: true, force: true });
    assert.deepEqual(result.findings.map((f) => `${f.kind}: ${f.message} (input ${f.path})`), []);
    assert.ok(result.corpus > inspectSeeds().length, `corpus ${result.corpus}`);
    assert.ok(result.blocksAtEnd >= result.blocksAtStart + 50, `blocks ${result.blocksAtStart} -> ${result.blocksAtEnd}`);
  });
});
