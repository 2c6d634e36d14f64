/**
 * Read buffers handed back by the consumer once it has written them, so a long conversion reads
 * into a few reused slabs instead of fresh memory: reading into a fresh buffer costs two to three
 * times as much (page faults, and the allocator mapping memory while reads fault it in).
 *
 * A reader lends a slab with the number of data bytes it will yield from it, before yielding the
 * first; the consumer reports every chunk it has written; a slab whose bytes were all reported
 * goes back to the pool. A byte never reported (copied elsewhere, never written) only keeps its
 * slab out of the pool, to be garbage collected like any buffer, so a consumer that reports
 * nothing (an HTTP response) is safe. A consumer must report each yielded byte at most once.
 */
import type { Extent } from './disk.js';
import { pageAlignedBuffer } from './page-aligned.js';
import type { RandomAccessSource } from './source.js';

/** Enough for the largest run any reader asks for in one read. */
export const SLAB_SIZE = 4 * 1024 * 1024;

export class BufferPool {
  private readonly free: Buffer[] = [];
  /** Data bytes not yet written, per lent slab; weak, so a slab never fully written is collected. */
  private readonly lent = new WeakMap<ArrayBufferLike, number>();
  /** Memory this pool allocated; anything else handed to lend() is not the pool's to reuse. */
  private readonly own = new WeakSet<ArrayBufferLike>();

  /** A page-aligned slab of SLAB_SIZE bytes (its own SharedArrayBuffer), the caller's until lent. */
  take(): Buffer {
    const reused = this.free.pop();
    if (reused !== undefined) return reused;
    const slab = pageAlignedBuffer(SLAB_SIZE);
    this.own.add(slab.buffer);
    return slab;
  }

  /** A view of a slab will be yielded as `dataBytes` bytes of data extents; 0 returns it now. */
  lend(view: Buffer, dataBytes: number): void {
    if (!this.own.has(view.buffer)) return;
    if (dataBytes === 0) this.free.push(Buffer.from(view.buffer, 0, SLAB_SIZE));
    else this.lent.set(view.buffer, dataBytes);
  }

  /** The consumer has written `chunk`. */
  written(chunk: Buffer): void {
    const left = this.lent.get(chunk.buffer);
    if (left === undefined) return;
    if (left > chunk.length) {
      this.lent.set(chunk.buffer, left - chunk.length);
      return;
    }
    this.lent.delete(chunk.buffer);
    this.free.push(Buffer.from(chunk.buffer, 0, SLAB_SIZE));
  }
}

/**
 * Reads into a slab of the source's pool when it has one (and the run fits), else a fresh buffer.
 * Shorter than `length` only when the source ends first.
 */
export async function readPooled(source: Pick<RandomAccessSource, 'read' | 'readInto' | 'pool'>, offset: number, length: number): Promise<Buffer> {
  const { pool, readInto } = source;
  if (pool === undefined || readInto === undefined || length > SLAB_SIZE) return source.read(offset, length);
  const target = pool.take().subarray(0, length);
  return target.subarray(0, await readInto.call(source, target, offset));
}

/** Data bytes among `extents`: what a reader lends a slab for. */
export function dataBytes(extents: readonly Extent[]): number {
  let total = 0;
  for (const extent of extents) if (extent.kind === 'data') total += extent.length;
  return total;
}
