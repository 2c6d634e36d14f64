import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BufferPool } from './buffer-pool.js';

test('convert/buffer pool: a slab comes back only once every lent byte is written', () => {
  const pool = new BufferPool();
  const slab = pool.take();
  const view = slab.subarray(0, 300);
  pool.lend(view, 200);
  pool.written(view.subarray(0, 100));
  assert.notEqual(pool.take().buffer, slab.buffer, 'half written: still out');
  pool.written(view.subarray(100, 200));
  assert.equal(pool.take().buffer, slab.buffer);
});

test('convert/buffer pool: memory it did not allocate is never reused', () => {
  const pool = new BufferPool();
  const foreign = Buffer.alloc(16);
  pool.lend(foreign, 0);
  pool.lend(foreign, 16);
  pool.written(foreign);
  assert.notEqual(pool.take().buffer, foreign.buffer);
});

test('convert/buffer pool: a slab lent with no data bytes is free at once', () => {
  const pool = new BufferPool();
  const slab = pool.take();
  pool.lend(slab.subarray(10, 20), 0);
  assert.equal(pool.take().buffer, slab.buffer);
});
