import assert from 'node:assert/strict';
import { mkdtemp, open, readFile, rm, stat, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { BufferPool, SLAB_SIZE } from '../read/buffer-pool.js';
import { PieceWriter, WRITE_PIECE } from './piece-writer.js';

const filled = (length: number, seed: number) => Buffer.from(Array.from({ length }, (_, i) => (i * 7 + seed) & 0xff));

async function withOutput(run: (handle: FileHandle, path: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'imago-piece-writer-'));
  const path = join(dir, 'out');
  const handle = await open(path, 'w');
  try {
    await run(handle, path);
  } finally {
    await handle.close();
    await rm(dir, { recursive: true, force: true });
  }
}

test('convert/piece-writer: writes, holes and patches land where they belong', async () => {
  await withOutput(async (handle, path) => {
    const out = new PieceWriter(handle, new BufferPool());
    const a = filled(9 * 1024 * 1024 + 17, 5);
    const b = filled(300 * 1024, 9);
    const grains = [filled(64 * 1024, 1), filled(64 * 1024, 2), filled(100, 3)];
    out.write(a);
    out.skip(1000);
    out.write(b);
    for (const grain of grains) out.write(grain);
    out.patch(10, Buffer.from('patched'));
    out.patch(WRITE_PIECE - 3, Buffer.from('across a piece'));
    out.skip(512);
    await out.finish();
    const expected = Buffer.concat([a, Buffer.alloc(1000), b, ...grains, Buffer.alloc(512)]);
    expected.write('patched', 10);
    expected.write('across a piece', WRITE_PIECE - 3);
    assert.equal(out.position, expected.length);
    assert.ok((await readFile(path)).equals(expected));
  });
});

test('convert/piece-writer: each whole piece is written at once, the rest only when its piece is whole', async () => {
  await withOutput(async (handle, path) => {
    const out = new PieceWriter(handle, new BufferPool());
    const size = async () => (await stat(path)).size;
    // Pieces end half a piece past each multiple of WRITE_PIECE: at 64 KiB, 192 KiB, 320 KiB...
    const firstEnd = WRITE_PIECE / 2;
    out.write(filled(firstEnd - 10, 1));
    assert.equal(await size(), 0, 'the first piece is not whole yet');
    out.write(filled(10 + 2 * WRITE_PIECE + 5, 2));
    assert.equal(await size(), firstEnd + 2 * WRITE_PIECE, 'three whole pieces; 5 bytes held');
    out.write(filled(WRITE_PIECE - 5, 3));
    assert.equal(await size(), firstEnd + 3 * WRITE_PIECE);
    out.write(filled(10, 4));
    await out.finish();
    assert.equal(await size(), firstEnd + 3 * WRITE_PIECE + 10);
  });
});

test('convert/piece-writer: a slab goes back to the pool once all its bytes are written, not before', async () => {
  await withOutput(async (handle) => {
    const pool = new BufferPool();
    const out = new PieceWriter(handle, pool);
    const slab = pool.take();
    const data = slab.subarray(0, WRITE_PIECE + 100);
    pool.lend(slab, data.length);
    out.skip(100);
    out.write(data);
    // Written up to the piece boundary at 64 KiB; from there to 128 KiB + 200 it is held.
    assert.notEqual(pool.take().buffer, slab.buffer, 'its last bytes are still held');
    await out.finish();
    assert.equal(pool.take().buffer, slab.buffer);
    assert.equal(slab.length, SLAB_SIZE);
  });
});
