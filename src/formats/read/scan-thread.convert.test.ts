import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomFillSync } from 'node:crypto';
import { closeSync, openSync } from 'node:fs';
import { mkdtemp, open, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { InvalidImageDataError } from '../../domain/errors.js';
import { BufferPool, SLAB_SIZE } from './buffer-pool.js';
import type { Extent } from './disk.js';
import { rawDisk } from './raw.reader.js';
import { startScanThread, type ScanThread } from './scan-thread.js';
import { openFileSource, type FileSource } from './source.js';
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

async function inTempDir(run: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'imago-scan-thread-'));
  try {
    await run(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function withFile(bytes: Buffer, run: (path: string) => Promise<void>): Promise<void> {
  await inTempDir(async (dir) => {
    const path = join(dir, 'disk.raw');
    await writeFile(path, bytes);
    await run(path);
  });
}

/** The whole file from a thread of its own, stopped at the end. */
async function* scanOnThread(fd: number, size: number, pool: BufferPool): AsyncGenerator<Extent> {
  const thread = startScanThread(fd, size, pool);
  try {
    yield* thread.extents(0);
  } finally {
    await thread.stop();
  }
}

/** What the event loop's own reader makes of the file: the reference the thread must match. */
async function onEventLoop(path: string): Promise<{ offset: number; length: number; kind: string; data?: Buffer }[]> {
  const source = await openFileSource(path);
  try {
    const out = [];
    for await (const e of rawDisk(source).extents()) out.push(e.kind === 'data' ? { ...e, data: Buffer.from(e.data) } : e);
    return out;
  } finally {
    await source.close();
  }
}

test('convert/scan thread: the same data and zero extents as the event-loop reader', async () => {
  const bytes = sample();
  await withFile(bytes, async (path) => {
    const expected = await onEventLoop(path);
    assert.ok(expected.some((e) => e.kind === 'zero' && e.length === 64 * 1024), 'the sample has a lone zero granule');
    const pool = new BufferPool();
    const fd = openSync(path, 'r');
    const got = [];
    try {
      for await (const e of mergeZeros<Extent>(scanOnThread(fd, bytes.length, pool))) {
        if (e.kind === 'data') {
          assert.deepEqual(e.data, bytes.subarray(e.offset, e.offset + e.length), `data at ${e.offset}`);
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
  });
});

test('convert/scan thread: memory stays bounded: slabs written go back to the thread', async () => {
  const bytes = randomFillSync(Buffer.alloc(128 * MiB));
  await withFile(bytes, async (path) => {
    const pool = new BufferPool();
    const fd = openSync(path, 'r');
    const slabs = new Set<ArrayBufferLike>();
    let end = 0;
    try {
      for await (const e of scanOnThread(fd, bytes.length, pool)) {
        assert.equal(e.kind, 'data');
        if (e.kind === 'data') {
          slabs.add(e.data.buffer);
          pool.written(e.data);
        }
        end = e.offset + e.length;
      }
    } finally {
      closeSync(fd);
    }
    assert.equal(end, bytes.length);
    // 32 reads of data; the thread holds 8 slabs, the consumer one at a time.
    assert.ok(slabs.size <= 10, `${slabs.size} slabs for 32 reads`);
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
  await inTempDir(async (dir) => {
    const fd = openSync(dir, 'r');
    try {
      await assert.rejects(async () => {
        for await (const e of scanOnThread(fd, SLAB_SIZE, new BufferPool())) void e;
      }, { code: 'EISDIR' });
    } finally {
      closeSync(fd);
    }
  });
});

/** A sparse raw file of `size` bytes with `data` written at each of `at`. */
async function sparseFile(path: string, size: number, data: Buffer, at: number[]): Promise<void> {
  const handle = await open(path, 'w');
  try {
    for (const offset of at) await handle.write(data, 0, data.length, offset);
    await handle.truncate(size);
  } finally {
    await handle.close();
  }
}

/** `source`, with its scan thread's start and stop written down in `events`. */
function watched(source: FileSource, events: string[]): FileSource {
  return {
    ...source,
    startScanThread: (): ScanThread => {
      const thread = source.startScanThread!();
      events.push('started');
      return {
        get ready() {
          return thread.ready;
        },
        extents: (from) => {
          events.push(from < source.size ? 'took over' : 'nothing left');
          return thread.extents(from);
        },
        stop: async () => {
          await thread.stop();
          events.push('stopped');
        },
      };
    },
  };
}

test('convert/scan thread: a raw disk of 1 GiB is read on the event loop while the thread starts, then on the thread', async () => {
  await inTempDir(async (dir) => {
    const path = join(dir, 'disk.raw');
    const data = randomFillSync(Buffer.alloc(MiB));
    // Data, a hole (read back as zeros), data at 512 MiB, a hole, data at the end.
    await sparseFile(path, 1024 * MiB, data, [0, 512 * MiB, 1023 * MiB]);
    const source = await openFileSource(path, new BufferPool());
    const events: string[] = [];
    const got = [];
    try {
      for await (const e of rawDisk(watched(source, events)).extents()) {
        if (e.kind === 'data') assert.ok(e.data.equals(data), `data at ${e.offset}`);
        got.push([e.offset, e.length, e.kind]);
      }
    } finally {
      await source.close();
    }
    assert.deepEqual(events, ['started', 'took over', 'stopped'], 'a GiB takes longer to read than the thread to start');
    assert.deepEqual(got, [
      [0, MiB, 'data'],
      [MiB, 511 * MiB, 'zero'],
      [512 * MiB, MiB, 'data'],
      [513 * MiB, 510 * MiB, 'zero'],
      [1023 * MiB, MiB, 'data'],
    ]);
  });
});

test('convert/scan thread: a consumer that stops early stops the thread before the file is closed', async () => {
  await inTempDir(async (dir) => {
    const path = join(dir, 'disk.raw');
    await sparseFile(path, 1024 * MiB, randomFillSync(Buffer.alloc(MiB)), [0]);
    const source = await openFileSource(path, new BufferPool());
    const events: string[] = [];
    for await (const e of rawDisk(watched(source, events)).extents()) {
      assert.equal(e.kind, 'data');
      break;
    }
    events.push('closing');
    await source.close();
    assert.deepEqual(events, ['started', 'stopped', 'closing']);
  });
});

test('convert/scan thread: after its last report the thread ends by itself, so nothing waits on it', async () => {
  const bytes = sample();
  await withFile(bytes, async (path) => {
    // A process with nothing else to keep it alive reads the file to the end on a thread it never
    // stops: it exits only if the thread does.
    const script = `
      const { openSync } = await import('node:fs');
      const { BufferPool } = await import(${JSON.stringify(new URL('./buffer-pool.ts', import.meta.url).href)});
      const { startScanThread } = await import(${JSON.stringify(new URL('./scan-thread.ts', import.meta.url).href)});
      const fd = openSync(${JSON.stringify(path)}, 'r');
      let length = 0;
      for await (const e of startScanThread(fd, ${bytes.length}, new BufferPool()).extents(0)) length += e.length;
      console.log(length);
    `;
    const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 30_000 });
    assert.equal(child.signal, null, `the process was still running after 30 s: ${child.stderr}`);
    assert.equal(child.status, 0, child.stderr);
    assert.equal(child.stdout.trim(), String(bytes.length));
  });
});

test('convert/scan thread: a raw disk under 1 GiB is read on the event loop alone', async () => {
  await inTempDir(async (dir) => {
    const path = join(dir, 'disk.raw');
    const data = randomFillSync(Buffer.alloc(MiB));
    await sparseFile(path, 1024 * MiB - SLAB_SIZE, data, [0]);
    const source = await openFileSource(path, new BufferPool());
    const events: string[] = [];
    try {
      for await (const e of rawDisk(watched(source, events)).extents()) {
        assert.deepEqual(e.kind === 'data' ? [e.offset, e.length, e.data] : e, [0, MiB, data]);
        break;
      }
    } finally {
      await source.close();
    }
    assert.deepEqual(events, []);
  });
});
