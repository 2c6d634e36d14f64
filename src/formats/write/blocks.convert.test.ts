import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Extent } from '../read/disk.js';
import { blocks } from './blocks.js';

async function* from(extents: Extent[]): AsyncGenerator<Extent> {
  yield* extents;
}

async function collect(extents: Extent[], size: number, blockSize: number) {
  const out = [];
  for await (const b of blocks(from(extents), size, blockSize)) out.push(b.kind === 'data' ? { index: b.index, count: b.count, data: [...b.data] } : b);
  return out;
}

test('convert/blocks: regroups extents into blocks, zero runs collapse, last block is padded', async () => {
  const result = await collect(
    [
      { offset: 0, length: 2, kind: 'data', data: Buffer.from([1, 2]) },
      { offset: 2, length: 12, kind: 'zero' },
      { offset: 14, length: 3, kind: 'data', data: Buffer.from([3, 4, 5]) },
      { offset: 17, length: 1, kind: 'zero' },
    ],
    18,
    4,
  );
  assert.deepEqual(result, [
    { index: 0, count: 1, data: [1, 2, 0, 0] },
    { kind: 'zero', index: 1, count: 2 },
    { index: 3, count: 1, data: [0, 0, 3, 4] },
    { index: 4, count: 1, data: [5, 0, 0, 0] },
  ]);
});

test('convert/blocks: whole aligned blocks pass through as one run without copying', async () => {
  const data = Buffer.from([9, 9, 9, 9, 8, 8, 8, 8]);
  const out = [];
  for await (const b of blocks(from([{ offset: 0, length: 8, kind: 'data', data }]), 8, 4)) out.push(b);
  assert.equal(out.length, 1);
  assert.equal(out[0]!.kind === 'data' && out[0]!.data.buffer, data.buffer);
  assert.equal(out[0]!.count, 2);
});

test('convert/blocks: a run stops at partial blocks, which are copied and padded', async () => {
  const result = await collect(
    [
      { offset: 0, length: 2, kind: 'zero' },
      { offset: 2, length: 13, kind: 'data', data: Buffer.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13]) },
      { offset: 15, length: 1, kind: 'zero' },
      { offset: 16, length: 8, kind: 'data', data: Buffer.from([21, 22, 23, 24, 25, 26, 27, 28]) },
      { offset: 24, length: 2, kind: 'data', data: Buffer.from([31, 32]) },
    ],
    26,
    4,
  );
  assert.deepEqual(result, [
    { index: 0, count: 1, data: [0, 0, 1, 2] },
    { index: 1, count: 2, data: [3, 4, 5, 6, 7, 8, 9, 10] },
    { index: 3, count: 1, data: [11, 12, 13, 0] },
    { index: 4, count: 2, data: [21, 22, 23, 24, 25, 26, 27, 28] },
    { index: 6, count: 1, data: [31, 32, 0, 0] },
  ]);
});

test('convert/blocks: gaps and short sequences are programming errors', async () => {
  await assert.rejects(collect([{ offset: 4, length: 4, kind: 'zero' }], 8, 4), /out of order/);
  await assert.rejects(collect([{ offset: 0, length: 4, kind: 'zero' }], 8, 4), /before the disk size/);
});

test('convert/blocks: data ending on a block boundary comes out before the next extent is asked for', async () => {
  const asked: number[] = [];
  async function* extents(): AsyncGenerator<Extent> {
    yield { offset: 0, length: 6, kind: 'data', data: Buffer.from([1, 2, 3, 4, 5, 6]) };
    asked.push(6);
    yield { offset: 6, length: 2, kind: 'data', data: Buffer.from([7, 8]) };
    asked.push(8);
    yield { offset: 8, length: 8, kind: 'zero' };
  }
  const it = blocks(extents(), 16, 4);
  const first = await it.next();
  assert.deepEqual(first.value, { kind: 'data', index: 0, count: 1, data: Buffer.from([1, 2, 3, 4]) });
  // Bytes 4-7 are a block only once the second extent has filled it.
  assert.deepEqual(asked, []);
  const second = await it.next();
  assert.deepEqual(second.value, { kind: 'data', index: 1, count: 1, data: Buffer.from([5, 6, 7, 8]) });
  assert.deepEqual(asked, [6], 'the block ending at 8 is out before the zeros after it are asked for');
  assert.deepEqual((await it.next()).value, { kind: 'zero', index: 2, count: 2 });
  assert.equal((await it.next()).done, true);
});
