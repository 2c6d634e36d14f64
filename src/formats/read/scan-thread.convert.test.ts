import assert from 'node:assert/strict';
import { randomFillSync } from 'node:crypto';
import { closeSync, openSync } from 'node:fs';
import { mkdtemp, open, readFile, rm, truncate } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { InvalidImageDataError } from '../../domain/errors.js';
import { BufferPool, SLAB_SIZE } from './buffer-pool.js';
import type { Extent } from './disk.js';
import { rawDisk } from './raw.reader.js';
import { scanOnThread } from './scan-thread.js';
import { openFileSource } from './source.js';
import { mergeZeros } from './zero.js';

const MiB = 1024 * 1024;

/**
 * 4 MiB data, 12 MiB zeros, a slab half data half zeros, a slab with one 64 KiB zero granule
 * inside data, then data ending part-way into a slab.
 */
function sample(): Buffer {
  const bytes = Buffer.alloc(26 * MiB + 12345);
  randomFillSync(bytes, 0, 4 * MiB);
  randomFillSync(bytes, 16 * MiB, 2 * MiB);
  randomFillSync(bytes, 20 * MiB, 4 * MiB);
  bytes.fill(0, 21 * MiB, 21 * MiB + 64 * 1024);
  randomFillSync(bytes, 24 * MiB);
  return bytes;
}

async function withFile(bytes: Buffer, run: (path: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'imago-scan-thread-'));
  try {
    const path = join(dir, 'disk.raw');
    await (await open(path, 'w')).close();
    await truncate(path, bytes.length);
    const handle = await open(path, 'r+');
    await handle.write(bytes, 0, bytes.length, 0);
    await handle.close();
    await run(path);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** What the event loop's own reader makes of the file: the reference the thread must match. */
async function inThread(path: string): Promise<{ offset: number; length: number; kind: string; data?: Buffer }[]> {
  const source = await openFileSource(path);
  try {
    const out = [];
    for await (const e of rawDisk(source).extents()) out.push(e.kind === 'data' ? { ...e, data: Buffer.from(e.data) } : e);
    return out;
  } finally {
    await source.close();
  }
}

test('convert/scan thread: the same data and zero extents as the event-loop reader, slabs reused once written', async () => {
  const bytes = sample();
  await withFile(bytes, async (path) => {
    const expected = await inThread(path);
    assert.ok(expected.some((e) => e.kind === 'zero' && e.length === 64 * 1024), 'the sample has a lone zero granule');
    const pool = new BufferPool();
    const fd = openSync(path, 'r');
    const slabs = new Set<ArrayBufferLike>();
    const got = [];
    try {
      for await (const e of mergeZeros(scanOnThread(fd, bytes.length, pool))) {
        if (e.kind === 'data') {
          assert.deepEqual(e.data, bytes.subarray(e.offset, e.offset + e.length), `data at ${e.offset}`);
          slabs.add(e.data.buffer);
          got.push({ ...e, data: Buffer.from(e.data) });
          pool.written(e.data);
        } else {
          got.push(e);
        }
      }
    } finally {
      closeSync(fd);
    }
    assert.deepEqual(got, expected);
    assert.ok(slabs.size <= 5, `slabs go back to the pool and round again (${slabs.size} used)`);
  });
});

test('convert/scan thread: a consumer that never reports its writes still gets every byte, none overwritten', async () => {
  const bytes = sample();
  await withFile(bytes, async (path) => {
    const fd = openSync(path, 'r');
    const held: Extent[] = [];
    try {
      for await (const e of scanOnThread(fd, bytes.length, new BufferPool())) held.push(e);
    } finally {
      closeSync(fd);
    }
    const rebuilt = Buffer.alloc(bytes.length);
    let end = 0;
    for (const e of held) {
      assert.equal(e.offset, end, 'extents in order, no gap');
      if (e.kind === 'data') e.data.copy(rebuilt, e.offset);
      end = e.offset + e.length;
    }
    assert.equal(end, bytes.length);
    assert.ok(rebuilt.equals(bytes), 'every slab still holds what was read into it');
  });
});

test('convert/scan thread: a file cut short after it was opened fails as truncated', async () => {
  const bytes = sample();
  await withFile(bytes, async (path) => {
    const fd = openSync(path, 'r');
    try {
      await truncate(path, 10 * MiB + 7);
      const seen: Extent[] = [];
      await assert.rejects(
        async () => {
          for await (const e of scanOnThread(fd, bytes.length, new BufferPool())) seen.push(e);
        },
        (err: unknown) => err instanceof InvalidImageDataError && err.reason === 'format.raw.truncated' && /ends at 10485767/.test(err.message),
      );
      assert.deepEqual(
        seen.map((e) => [e.offset, e.length, e.kind]),
        [
          [0, 4 * MiB, 'data'],
          [4 * MiB, 4 * MiB, 'zero'],
        ],
        'what was whole before the cut',
      );
    } finally {
      closeSync(fd);
    }
  });
});

test('convert/scan thread: a read error reaches the consumer with its code', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'imago-scan-thread-'));
  const fd = openSync(dir, 'r');
  try {
    await assert.rejects(async () => {
      for await (const e of scanOnThread(fd, SLAB_SIZE, new BufferPool())) void e;
    }, { code: 'EISDIR' });
  } finally {
    closeSync(fd);
    await rm(dir, { recursive: true, force: true });
  }
});

test('convert/scan thread: a consumer that stops early stops the thread before the file is closed', async () => {
  const bytes = sample();
  await withFile(bytes, async (path) => {
    const source = await openFileSource(path, new BufferPool());
    for await (const e of source.scanOnThread!()) {
      assert.equal(e.kind, 'data');
      break;
    }
    await source.close();
    // A thread still running would keep this test's process alive past its end: node:test reports that.
    assert.deepEqual(await readFile(path), bytes);
  });
});

test('convert/scan thread: a raw disk of 1 GiB or more is read on the thread, a smaller one on the event loop', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'imago-scan-thread-'));
  try {
    for (const [size, thread] of [
      [1024 * MiB, true],
      [1024 * MiB - SLAB_SIZE, false],
    ] as const) {
      // Sparse: 1 MiB of data, then a hole. Only the first extent is read: which reader it came from is the point.
      const path = join(dir, `${size}.raw`);
      const head = randomFillSync(Buffer.alloc(MiB));
      const handle = await open(path, 'w');
      await handle.write(head, 0, MiB, 0);
      await handle.truncate(size);
      await handle.close();
      const source = await openFileSource(path, new BufferPool());
      let threads = 0;
      const watched = { ...source, scanOnThread: () => (threads++, source.scanOnThread!()) };
      try {
        for await (const e of rawDisk(watched).extents()) {
          assert.deepEqual(e.kind === 'data' ? [e.offset, e.length, e.data] : e, [0, MiB, head]);
          break;
        }
      } finally {
        await source.close();
      }
      assert.equal(threads, thread ? 1 : 0, `${size} bytes`);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
