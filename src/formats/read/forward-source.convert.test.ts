import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { InvalidImageDataError } from '../../domain/errors.js';
import { ForwardSource } from './forward-source.js';

const bytes = Buffer.from(Array.from({ length: 1000 }, (_, i) => i & 0xff));
const chunked = () => Readable.from([bytes.subarray(0, 100), bytes.subarray(100, 350), bytes.subarray(350)]);

test('convert/forward source: reads across chunks, skips forward, ends short', async () => {
  const source = new ForwardSource(chunked(), 'test');
  assert.deepEqual(await source.read(50, 100), bytes.subarray(50, 150));
  assert.deepEqual(await source.read(60, 10), bytes.subarray(60, 70)); // same start region kept
  assert.deepEqual(await source.read(900, 200), bytes.subarray(900));
  assert.equal((await source.read(1000, 1)).length, 0);
});

test('convert/forward source: reaching back past the lookbehind is refused', async () => {
  const source = new ForwardSource(chunked(), 'test', 100);
  await source.read(500, 10);
  assert.deepEqual(await source.read(420, 10), bytes.subarray(420, 430));
  await assert.rejects(source.read(300, 10), InvalidImageDataError);
});
