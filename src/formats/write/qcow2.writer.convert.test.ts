import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Extent } from '../read/disk.js';
import { writeQcow2File } from './qcow2.writer.js';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;
const CLUSTER = 64 * 1024;

/**
 * The one-pass file layout puts the tables after the data, so past 4 GiB of data every L1 and L2
 * entry needs the high word of its offset. The oracle tests convert small disks only; this one
 * writes nothing: 5 GiB of data are views of one 4 MiB buffer, and only the tables are kept.
 */
test('convert/qcow2 writer: table entries past 4 GiB of host offset point where the data is', async () => {
  const size = 6 * GiB;
  const dataEnd = 5 * GiB;
  const data = Buffer.alloc(4 * MiB, 0xab);
  async function* extents(): AsyncGenerator<Extent> {
    for (let offset = 0; offset < dataEnd; offset += data.length) yield { offset, length: data.length, kind: 'data', data };
    yield { offset: dataEnd, length: size - dataEnd, kind: 'zero' };
  }
  const image = writeQcow2File({ size, extents });
  const tables = new Map<number, Buffer>();
  let position = 0;
  for await (const chunk of image.chunks) {
    if (chunk.buffer !== data.buffer) tables.set(position, chunk);
    position += chunk.length;
  }
  const entryAt = (offset: number): number => {
    for (const [start, chunk] of tables) {
      if (offset >= start && offset + 8 <= start + chunk.length) {
        const high = chunk.readUInt32BE(offset - start);
        assert.equal(high >>> 31, 1, `COPIED is set in the entry at ${offset}`);
        return (high & 0x7fffffff) * 2 ** 32 + chunk.readUInt32BE(offset - start + 4);
      }
    }
    throw new Error(`no table holds offset ${offset}`);
  };
  const [header] = image.patches();
  const l1 = Number(header!.data.readBigUInt64BE(40));
  assert.ok(l1 > 4 * GiB, 'the L1 table itself lies past 4 GiB');

  // Data is written in virtual order from cluster 1 on, so virtual cluster v is host cluster v + 1.
  for (const virtual of [0, 65534, 65535, 65536, 70_000, dataEnd / CLUSTER - 1]) {
    const l2 = entryAt(l1 + Math.floor(virtual / 8192) * 8);
    assert.ok(l2 > dataEnd, `the L2 table for cluster ${virtual} follows the data`);
    assert.equal(entryAt(l2 + (virtual % 8192) * 8), (virtual + 1) * CLUSTER, `virtual cluster ${virtual}`);
  }
  // The zero tail has no L2 table: its L1 entry stays empty.
  const l1Chunk = [...tables].find(([start]) => start === l1)![1];
  assert.equal(l1Chunk.readBigUInt64BE((dataEnd / CLUSTER / 8192) * 8), 0n);
});
