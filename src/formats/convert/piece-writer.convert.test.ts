import assert from 'node:assert/strict';
import { mkdtemp, open, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { BufferPool } from '../read/buffer-pool.js';
import { BatchedWriter, cutWrites, WRITE_PIECE } from './batched-writer.js';

const filled = (length: number, seed: number) => Buffer.from(Array.from({ length }, (_, i) => (i * 7 + seed) & 0xff));

test('convert/batched-writer: cuts a batch into contiguous writes of at most WRITE_PIECE bytes', () => {
  const buffers = [filled(WRITE_PIECE / 2 + 3, 1), filled(3 * WRITE_PIECE, 2), filled(5, 3)];
  const pieces = cutWrites(buffers, 4096);
  let at = 4096;
  for (const piece of pieces) {
    const bytes = piece.buffers.reduce((n, b) => n + b.length, 0);
    assert.equal(piece.at, at);
    assert.ok(bytes > 0 && bytes <= WRITE_PIECE);
    at += bytes;
  }
  assert.equal(pieces.length, 4);
  assert.deepEqual(Buffer.concat(pieces.flatMap((p) => p.buffers)), Buffer.concat(buffers));
  // Views, not copies.
  assert.equal(pieces[0]!.buffers[0]!.buffer, buffers[0]!.buffer);
});

test('convert/batched-writer: writes, holes and patches land where they belong', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'imago-batched-writer-'));
  try {
    const path = join(dir, 'out');
    const handle = await open(path, 'w');
    const out = new BatchedWriter(handle, new BufferPool());
    const a = filled(9 * 1024 * 1024 + 17, 5);
    const b = filled(300 * 1024, 9);
    out.write(a);
    out.skip(1000);
    out.write(b);
    out.patch(10, Buffer.from('patched'));
    out.skip(512);
    await out.finish();
    await handle.close();
    const expected = Buffer.concat([a, Buffer.alloc(1000), b, Buffer.alloc(512)]);
    expected.write('patched', 10);
    assert.equal(out.position, expected.length);
    assert.ok((await readFile(path)).equals(expected));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
