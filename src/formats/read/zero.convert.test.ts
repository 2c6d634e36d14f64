import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Extent } from './disk.js';
import { isAllZero, mergeZeros, splitZeros, ZERO_GRANULE } from './zero.js';

const MIB = 1024 * 1024;
const shape = (offset: number, data: Buffer) => [...splitZeros(offset, data)].map(({ offset, length, kind }) => ({ offset, length, kind }));

test('convert/zero: a read of zeros longer than the compared span is one zero extent', () => {
  assert.deepEqual(shape(4 * MIB, Buffer.alloc(2 * MIB + 512)), [{ offset: 4 * MIB, length: 2 * MIB + 512, kind: 'zero' }]);
});

test('convert/zero: a single non-zero byte is found wherever it is', () => {
  const data = Buffer.alloc(1024 + 3);
  assert.equal(isAllZero(data), true);
  for (let i = 0; i < data.length; i++) {
    data[i] = 0x80;
    assert.equal(isAllZero(data), false, `byte ${i}`);
    assert.equal(isAllZero(data.subarray(0, i)), true, `the ${i} bytes before it`);
    data[i] = 0;
  }
  // Data that repeats every 256 bytes equals itself shifted; only the head's own check refuses it.
  const periodic = Buffer.alloc(64 * 1024);
  for (let i = 5; i < periodic.length; i += 256) periodic[i] = 1;
  assert.equal(isAllZero(periodic), false);
});

test('convert/zero: one byte of data past the first MiB makes its granule data, the rest stays zero', () => {
  const data = Buffer.alloc(3 * MIB);
  data[MIB + 5] = 1;
  assert.equal(isAllZero(data), false);
  assert.deepEqual(shape(0, data), [
    { offset: 0, length: MIB, kind: 'zero' },
    { offset: MIB, length: ZERO_GRANULE, kind: 'data' },
    { offset: MIB + ZERO_GRANULE, length: 2 * MIB - ZERO_GRANULE, kind: 'zero' },
  ]);
});

test('convert/zero: granules follow virtual offsets, not the start of the read', () => {
  const data = Buffer.alloc(2 * ZERO_GRANULE);
  data[0] = 1;
  assert.deepEqual(shape(ZERO_GRANULE / 2, data), [
    { offset: ZERO_GRANULE / 2, length: ZERO_GRANULE / 2, kind: 'data' },
    { offset: ZERO_GRANULE, length: ZERO_GRANULE + ZERO_GRANULE / 2, kind: 'zero' },
  ]);
});

test('convert/zero: neighbouring zeros merge, and data goes on before the next extent is asked for', async () => {
  const asked: number[] = [];
  async function* extents(): AsyncGenerator<Extent> {
    yield { offset: 0, length: 4, kind: 'zero' };
    yield { offset: 4, length: 4, kind: 'zero' };
    yield { offset: 8, length: 2, kind: 'data', data: Buffer.from([1, 2]) };
    asked.push(10);
    yield { offset: 10, length: 0, kind: 'zero' };
    yield { offset: 10, length: 6, kind: 'zero' };
  }
  const it = mergeZeros(extents());
  assert.deepEqual((await it.next()).value, { offset: 0, length: 8, kind: 'zero' });
  assert.deepEqual((await it.next()).value, { offset: 8, length: 2, kind: 'data', data: Buffer.from([1, 2]) });
  assert.deepEqual(asked, [], 'the data came out before what follows it was read');
  assert.deepEqual((await it.next()).value, { offset: 10, length: 6, kind: 'zero' });
  assert.equal((await it.next()).done, true);
});
