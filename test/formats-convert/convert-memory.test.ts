/**
 * Memory stays flat whatever the virtual size: a 4 GiB qcow2 with a little data is converted to
 * every output format (bytes discarded as they come) while RSS is sampled.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { after, test } from 'node:test';
import { convert, type ConvertOptions } from '../../src/formats/convert/convert.js';
import type { OutputFormat } from '../../src/formats/convert/disk-format.js';
import { openFileSource } from '../../src/formats/read/source.js';
import { requireTool } from '../support/require-tool.js';
import { qemuImg } from './qemu-fixtures.js';

const GIB = 1024 ** 3;
const MIB = 1024 ** 2;
/** Allowed RSS growth over the baseline; the disk is 4 GiB, its data 48 MiB. */
const RSS_BUDGET = 160 * MIB;

let dir: string | undefined;
after(async () => {
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

test('convert: a 4 GiB sparse qcow2 converts with bounded memory', async (t) => {
  if (!requireTool(t, 'qemu-img')) return;
  dir = await mkdtemp(join(tmpdir(), 'imago-convert-mem-'));
  const raw = join(dir, 'big.raw');
  const qcow2 = join(dir, 'big.qcow2');
  const file = await open(raw, 'w');
  for (const offset of [0, GIB - 3 * MIB, 2 * GIB + 12345 * 512, 4 * GIB - 16 * MIB]) await file.write(randomBytes(16 * MIB), 0, 16 * MIB, offset);
  await file.truncate(4 * GIB);
  await file.close();
  await qemuImg('convert', '-f', 'raw', '-O', 'qcow2', raw, qcow2);
  await rm(raw);

  const outputs: [OutputFormat, ConvertOptions][] = [
    ['raw', {}],
    ['qcow2', {}],
    ['vmdk', {}],
    ['vhd', {}],
    ['vhd', { vhdSubformat: 'fixed' }],
    ['vhdx', {}],
  ];
  global.gc?.();
  const baseline = process.memoryUsage().rss;
  let peak = baseline;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
  try {
    for (const [outputFormat, options] of outputs) {
      const source = await openFileSource(qcow2);
      try {
        const result = await convert({ input: source, inputFormat: 'qcow2', outputFormat, options });
        let bytes = 0;
        await pipeline(result.stream, new Writable({ write: (chunk: Buffer, _e, done) => ((bytes += chunk.length), done()) }));
        if (result.length !== undefined) assert.equal(bytes, result.length, outputFormat);
        peak = Math.max(peak, process.memoryUsage().rss);
      } finally {
        await source.close();
      }
    }
  } finally {
    clearInterval(sampler);
  }
  const growth = peak - baseline;
  t.diagnostic(`peak RSS growth ${(growth / MIB).toFixed(1)} MiB`);
  assert.ok(growth < RSS_BUDGET, `RSS grew by ${(growth / MIB).toFixed(1)} MiB`);
});
