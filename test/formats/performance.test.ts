/**
 * The random-access inspector reads only metadata: a verdict for a 10 GiB qcow2 (and a 10 GiB
 * sparse raw file) takes milliseconds. The budget is 50 ms.
 */
import assert from 'node:assert/strict';
import { open } from 'node:fs/promises';
import { after, describe, it } from 'node:test';
import { inspectFile } from '../../src/formats/inspect/index.js';
import { requireTool } from '../support/require-tool.js';
import { Workdir } from './support/qemu.js';

const GiB = 2 ** 30;
const BUDGET_MS = 50;

async function timed(path: string, declaredFormat: string): Promise<{ first: number; median: number }> {
  const runs: number[] = [];
  for (let i = 0; i < 7; i++) {
    const t0 = performance.now();
    const v = await inspectFile(path, { declaredFormat });
    runs.push(performance.now() - t0);
    assert.ok(v.ok && v.virtualSize === 10 * GiB, JSON.stringify(v));
  }
  const first = runs[0]!;
  const sorted = runs.slice(1).sort((a, b) => a - b);
  return { first, median: sorted[Math.floor(sorted.length / 2)]! };
}

describe('inspection speed', () => {
  let w: Workdir | undefined;
  after(async () => {
    await w?.remove();
  });

  it(`gives a verdict for a 10 GiB qcow2 and a 10 GiB sparse raw file within ${BUDGET_MS} ms`, async (t) => {
    if (!requireTool(t, 'qemu-img')) return;
    w = await Workdir.create('imago-speed-');
    await w.qemuImg('create', '-q', '-f', 'qcow2', 'x.qcow2', '10G');
    const fh = await open(w.path('x.raw'), 'w');
    await fh.truncate(10 * GiB);
    await fh.close();
    for (const [name, format] of [['x.qcow2', 'qcow2'], ['x.raw', 'raw']] as const) {
      const { first, median } = await timed(w.path(name), format);
      t.diagnostic(`${name}: first verdict ${first.toFixed(2)} ms, median of the next 6 ${median.toFixed(2)} ms`);
      assert.ok(median < BUDGET_MS, `${name}: ${median} ms`);
    }
  });
});
