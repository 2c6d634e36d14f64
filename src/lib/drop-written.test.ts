import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dropWritten } from './drop-written.js';

test('dropWritten: keeps what a short writev left, cutting into a buffer where it stopped', () => {
  const a = Buffer.from('abc');
  const b = Buffer.from('defg');
  const c = Buffer.from('h');
  const text = (buffers: Buffer[]) => Buffer.concat(buffers).toString();
  assert.equal(text(dropWritten([a, b, c], 0)), 'abcdefgh');
  assert.equal(text(dropWritten([a, b, c], 3)), 'defgh');
  assert.equal(text(dropWritten([a, b, c], 5)), 'fgh');
  assert.deepEqual(dropWritten([a, b, c], 8), []);
  const [first] = dropWritten([a, b, c], 4);
  assert.equal(first!.buffer, b.buffer, 'a view, not a copy');
});
