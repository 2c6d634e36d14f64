/**
 * The file writer of convertFile: positional writes gathered into batches, each batch written
 * with synchronous writes of at most WRITE_PIECE bytes.
 *
 * Synchronous, because every write through the thread pool costs two thread wake-ups; with
 * writes this small that doubled the conversion's CPU time (docs/benchmarks.md, "Conversion").
 * A write blocks the event loop only for its copy into the page cache (tens of microseconds),
 * while the reads already queued on the thread pool (or, for a large raw disk, its scan thread,
 * scan-thread.ts) go on; convertFile runs in the CLI, where nothing else waits on the loop.
 */
import { writeSync, writevSync } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import type { BufferPool } from '../read/buffer-pool.js';

/** Bytes gathered before a batch is written. */
const WRITE_BATCH = 8 * 1024 * 1024;
/**
 * Largest single write. The kernel sizes new page-cache folios by the write's length; on a VM
 * whose free memory is handed back to the host (virtio-balloon free page reporting) large
 * folios often land on memory the host must fault in again, and the copy into them then costs
 * 3-5x as much. Writes of 128 KiB or less get small folios and cost about the same in every run
 * (docs/benchmarks.md, "Conversion").
 */
export const WRITE_PIECE = 128 * 1024;

export class BatchedWriter {
  position = 0;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private pendingAt = 0;

  constructor(
    private readonly handle: FileHandle,
    private readonly pool: BufferPool,
  ) {}

  write(chunk: Buffer): void {
    if (this.pending.length === 0) this.pendingAt = this.position;
    const last = this.pending.at(-1);
    // Cluster-sized views of one read buffer, in order, go out as one iovec.
    if (last !== undefined && last.buffer === chunk.buffer && last.byteOffset + last.length === chunk.byteOffset) {
      this.pending[this.pending.length - 1] = Buffer.from(last.buffer, last.byteOffset, last.length + chunk.length);
    } else {
      this.pending.push(chunk);
    }
    this.pendingBytes += chunk.length;
    this.position += chunk.length;
    if (this.pendingBytes >= WRITE_BATCH || this.pending.length >= 512) this.flush();
  }

  /** Leaves a hole: the file system reads it back as zeros. */
  skip(length: number): void {
    this.flush();
    this.position += length;
  }

  /** Overwrites bytes written before, once everything queued so far is on the file. */
  patch(offset: number, data: Buffer): void {
    this.flush();
    this.writeAll([data], offset);
  }

  async finish(): Promise<void> {
    this.flush();
    // A trailing hole needs the length set explicitly.
    await this.handle.truncate(this.position);
  }

  private flush(): void {
    if (this.pending.length === 0) return;
    const buffers = this.pending;
    this.pending = [];
    this.pendingBytes = 0;
    this.writeAll(buffers, this.pendingAt);
  }

  private writeAll(buffers: Buffer[], at: number): void {
    for (const piece of cutWrites(buffers, at)) {
      let left = piece.buffers;
      let position = piece.at;
      while (left.length > 0) {
        // One buffer (the usual case: a piece of a run read into one slab) skips writev's array.
        const written = left.length === 1 ? writeSync(this.handle.fd, left[0]!, 0, left[0]!.length, position) : writevSync(this.handle.fd, left, position);
        position += written;
        left = remaining(left, written);
      }
    }
    for (const buffer of buffers) this.pool.written(buffer);
  }
}

/** `buffers`, to be written at `at`, cut into writes of at most WRITE_PIECE bytes (views, no copies). */
export function cutWrites(buffers: Buffer[], at: number): { at: number; buffers: Buffer[] }[] {
  const pieces: { at: number; buffers: Buffer[] }[] = [];
  let current: Buffer[] = [];
  let currentBytes = 0;
  let position = at;
  for (const buffer of buffers) {
    for (let from = 0; from < buffer.length; ) {
      const take = Math.min(buffer.length - from, WRITE_PIECE - currentBytes);
      current.push(buffer.subarray(from, from + take));
      currentBytes += take;
      from += take;
      if (currentBytes === WRITE_PIECE) {
        pieces.push({ at: position, buffers: current });
        position += currentBytes;
        current = [];
        currentBytes = 0;
      }
    }
  }
  if (currentBytes > 0) pieces.push({ at: position, buffers: current });
  return pieces;
}

/** What writev left unwritten after a short write. */
function remaining(buffers: Buffer[], written: number): Buffer[] {
  let skip = written;
  let i = 0;
  while (i < buffers.length && skip >= buffers[i]!.length) skip -= buffers[i++]!.length;
  const rest = buffers.slice(i);
  if (rest.length > 0 && skip > 0) rest[0] = rest[0]!.subarray(skip);
  return rest;
}
