/**
 * The random-access inspector reads only metadata: a verdict for a 10 GiB qcow2 (and a 10 GiB
 * sparse raw file) reads a few hundred KiB at most, whatever the virtual size, so it takes
 * milliseconds. How many is measured by `npm run bench -- --only inspect` (target < 50 ms), not
 * asserted here: a time limit in a test fails on a busy machine and proves nothing on a quiet one.
 */
import assert from 'node:assert/strict';
import { open } from 'node:fs/promises';
import { after, describe, it } from 'node:test';
import { inspectSource, openFileSource, type ByteSource } from '../../src/formats/inspect/index.js';
import { requireTool } from '../support/require-tool.js';
import { Workdir } from './support/qemu.js';

const GiB = 2 ** 30;
/** What a verdict may read of a 10 GiB image: its headers and tables, never its data. */
const READ_BUDGET = 1024 * 1024;

/** A source that counts what is read through it. */
function counting(source: ByteSource): ByteSource & { bytes: number; reads: number } {
  const counted = {
    size: source.size,
    bytes: 0,
    reads: 0,
    async read(offset: number, length: number) {
      const data = await source.read(offset, length);
      counted.bytes += data.length;
      counted.reads++;
      return data;
    },
  };
  return counted;
}

describe('inspection reads metadata only', () => {
  let w: Workdir | undefined;
  after(async () => {
    await w?.remove();
  });

  it(`gives a verdict for a 10 GiB qcow2 and a 10 GiB sparse raw file reading at most ${READ_BUDGET / 1024} KiB`, async (t) => {
    if (!requireTool(t, 'qemu-img')) return;
    w = await Workdir.create('imago-speed-');
    await w.qemuImg('create', '-q', '-f', 'qcow2', 'x.qcow2', '10G');
    const fh = await open(w.path('x.raw'), 'w');
    await fh.truncate(10 * GiB);
    await fh.close();
    for (const [name, format] of [['x.qcow2', 'qcow2'], ['x.raw', 'raw']] as const) {
      const file = await openFileSource(w.path(name));
      try {
        const source = counting(file);
        const v = await inspectSource(source, { declaredFormat: format });
        assert.ok(v.ok && v.virtualSize === 10 * GiB, JSON.stringify(v));
        t.diagnostic(`${name}: ${source.reads} reads, ${source.bytes} bytes`);
        assert.ok(source.bytes <= READ_BUDGET, `${name}: read ${source.bytes} bytes`);
      } finally {
        await file.close();
      }
    }
  });
});
