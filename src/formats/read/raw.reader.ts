/**
 * raw: the virtual disk is the bytes themselves. Holes are found by zero detection, for a large
 * file on a thread of its own (scan-thread.ts). The planning pass of a layout-first writer (qcow2,
 * vhd dynamic, vhdx) reads everything once; it remembers which 64 KiB granules were zero (one
 * bit each), so the writing pass reads only the data.
 */
import type { Readable } from 'node:stream';
import { InvalidImageDataError } from '../../domain/errors.js';
import { dataBytes, readPooled, SLAB_SIZE, type BufferPool } from './buffer-pool.js';
import { withoutData, type DiskStream, type Extent, type SeekableDisk } from './disk.js';
import { ForwardSource } from './forward-source.js';
import { pageAlignedBuffer } from './page-aligned.js';
import type { ScanThread } from './scan-thread.js';
import type { ByteReader, RandomAccessSource } from './source.js';
import { mergeZeros, splitZeros, ZERO_GRANULE } from './zero.js';

/** Large enough that per-read overhead vanishes, small enough to keep memory flat; one pool slab. */
const READ_CHUNK = SLAB_SIZE;
/**
 * Smaller disks are read on the event loop. Starting the thread costs about 25 ms here and pays
 * back only from about 1 GiB: raw→qcow2 of a half-zero disk took 0.087 s against 0.077 at
 * 256 MiB, the same either way at 1 GiB, and 0.40 against 0.44 at 2 GiB (scan-thread.ts).
 */
const SCAN_THREAD_MIN = 1024 * 1024 * 1024;

export function rawDisk(source: RandomAccessSource): SeekableDisk {
  const size = source.size;
  let zeroGranules: Uint8Array | undefined;
  return {
    size,
    seekable: true,
    extents: () => {
      if (zeroGranules !== undefined) return mergeZeros(rawExtents(source, size, dataChunks(size, zeroGranules)));
      const { startScanThread } = source;
      if (startScanThread !== undefined && size >= SCAN_THREAD_MIN) return mergeZeros(handOver(source, size, () => startScanThread.call(source)));
      return mergeZeros(rawExtents(source, size));
    },
    async *map() {
      const seen = new Uint8Array(Math.ceil(size / ZERO_GRANULE / 8));
      for await (const extent of mergeZeros(withoutData(rawExtents(source, size, allChunks(size), true)))) {
        yield extent;
        // splitZeros cuts at granule boundaries, so zero extents cover whole granules (or the tail).
        if (extent.kind === 'zero') markGranules(seen, extent.offset, extent.length);
      }
      zeroGranules = seen;
    },
  };
}

/** A raw disk arriving as a stream; its size must be declared (e.g. the stored image size). */
export function rawStream(stream: Readable, size: number): DiskStream {
  return {
    size,
    extents: () => mergeZeros(rawStreamExtents(new ForwardSource(stream, 'raw'), size)),
  };
}

async function* rawStreamExtents(source: ForwardSource, size: number): AsyncGenerator<Extent> {
  try {
    yield* rawExtents(source, size);
    if ((await source.read(size, 1)).length > 0) {
      throw new InvalidImageDataError(`the raw stream is longer than its declared size ${size}`, { reason: 'format.raw.size_mismatch' });
    }
  } finally {
    await source.close();
  }
}

/** Reads kept in flight ahead of the consumer, so file reads overlap decoding and writing. */
const READ_AHEAD = 2;

type Step = { offset: number; length: number; read: boolean };

function* allChunks(size: number): Generator<Step> {
  for (let offset = 0; offset < size; offset += READ_CHUNK) yield { offset, length: Math.min(READ_CHUNK, size - offset), read: true };
}

/** Second pass: runs of granules the map found zero are not read again. */
function* dataChunks(size: number, zero: Uint8Array): Generator<Step> {
  const granules = Math.ceil(size / ZERO_GRANULE);
  const isZero = (g: number) => (zero[g >> 3]! & (1 << (g & 7))) !== 0;
  let g = 0;
  while (g < granules) {
    const start = g;
    const kind = isZero(g);
    const limit = kind ? granules : Math.min(granules, start + READ_CHUNK / ZERO_GRANULE);
    while (g < limit && isZero(g) === kind) g++;
    const offset = start * ZERO_GRANULE;
    yield { offset, length: Math.min(size, g * ZERO_GRANULE) - offset, read: !kind };
  }
}

/**
 * Reads `steps` with READ_AHEAD reads in flight. With `scratch`, the data is only looked at (a
 * map pass): reads go into READ_AHEAD + 1 rotating buffers, never one still being split.
 * Otherwise reads go into the source's pool, if it has one, and each slab is lent for its data.
 */
async function* rawExtents(source: ByteReader & Partial<RandomAccessSource>, size: number, steps: Iterable<Step> = allChunks(size), scratch = false): AsyncGenerator<Extent> {
  const queue: { step: Step; data: Promise<Buffer> | undefined }[] = [];
  const iterator = steps[Symbol.iterator]();
  const readInto = scratch ? source.readInto : undefined;
  const pool = readInto === undefined ? [] : Array.from({ length: READ_AHEAD + 1 }, () => pageAlignedBuffer(READ_CHUNK));
  let issued = 0;
  let reads = 0;
  const read = (step: Step): Promise<Buffer> => {
    if (readInto === undefined) return readPooled(source, step.offset, step.length);
    const target = pool[issued++ % pool.length]!.subarray(0, step.length);
    return readInto(target, step.offset).then((n) => target.subarray(0, n));
  };
  const fill = () => {
    while (reads < READ_AHEAD) {
      const next = iterator.next();
      if (next.done === true) return;
      const step = next.value;
      const data = step.read ? read(step) : undefined;
      // Awaited in order below; a failure must not surface as an unhandled rejection before that.
      data?.catch(() => undefined);
      if (data !== undefined) reads++;
      queue.push({ step, data });
    }
  };
  fill();
  while (queue.length > 0) {
    const { step, data } = queue.shift()!;
    if (data === undefined) {
      yield { offset: step.offset, length: step.length, kind: 'zero' };
      fill();
      continue;
    }
    const bytes = await data;
    reads--;
    fill();
    if (bytes.length !== step.length) throw rawTruncated(step.offset + bytes.length, size);
    yield* readExtents(step.offset, bytes, scratch ? undefined : source.pool);
  }
}

/** A raw disk that ends at `end`, before its declared `size`. */
export function rawTruncated(end: number, size: number): InvalidImageDataError {
  return new InvalidImageDataError(`the raw image ends at ${end}, before its size ${size}`, { reason: 'format.raw.truncated' });
}

/** The data and zero extents of `bytes` read at `offset`; the slab they are in is lent to `pool` for its data. */
export function readExtents(offset: number, bytes: Buffer, pool?: BufferPool): Extent[] {
  const extents = [...splitZeros(offset, bytes)];
  pool?.lend(bytes, dataBytes(extents));
  return extents;
}

/**
 * Reads on the event loop while the thread starts (30-45 ms here, up to 100 while the writes
 * compete with it for the CPU: time the loop would otherwise sit idle), then takes the rest of
 * the disk from the thread. The thread is started once the first reads are out: creating the
 * first Worker of a process holds the event loop for about 4 ms, which the first write would
 * otherwise wait for.
 */
async function* handOver(source: RandomAccessSource, size: number, start: () => ScanThread): AsyncGenerator<Extent> {
  let thread: ScanThread | undefined;
  let from = 0;
  function* untilReady(): Generator<Step> {
    for (const step of allChunks(size)) {
      if (thread?.ready === true) return;
      from = step.offset + step.length;
      yield step;
    }
  }
  const onLoop = rawExtents(source, size, untilReady());
  // An async generator runs up to its first await when first asked: the reads are issued now.
  const first = onLoop.next();
  // Awaited below; if start() throws first, its failure must not go unhandled.
  first.catch(() => undefined);
  try {
    thread = start();
    const opening = await first;
    if (opening.done !== true) {
      yield opening.value;
      yield* onLoop;
    }
    yield* thread.extents(from);
  } finally {
    await onLoop.return(undefined);
    await thread?.stop();
  }
}

function markGranules(bits: Uint8Array, offset: number, length: number): void {
  const last = Math.ceil((offset + length) / ZERO_GRANULE);
  for (let g = Math.floor(offset / ZERO_GRANULE); g < last; g++) bits[g >> 3]! |= 1 << (g & 7);
}
