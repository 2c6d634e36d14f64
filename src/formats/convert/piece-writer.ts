/**
 * The file writer of convertFile: chunks in file order, written with synchronous positional
 * writes of at most WRITE_PIECE bytes, cut at fixed file offsets (PIECE_PHASE), each piece as
 * soon as it is whole. A chunk is held only while it ends inside a piece; a hole, a patch or
 * the end writes what is held.
 *
 * Synchronous, because every write through the thread pool costs two thread wake-ups; with
 * writes this small that doubled the conversion's CPU time (docs/benchmarks.md, "Conversion").
 * A write blocks the event loop only for its copy into the page cache (tens of microseconds),
 * while the reads already queued on the thread pool (or, for a large raw disk, its scan thread,
 * scan-thread.ts) go on; convertFile runs in the CLI, where nothing else waits on the loop.
 * As soon as whole, because a chunk held back keeps its slab from the reader and its bytes from
 * the disk: gathering 8 MiB first, as this writer used to, put the first write of raw→qcow2 21 ms
 * into the conversion instead of 15 (docs/benchmarks.md, "The first and last 30 ms").
 */
import { writeSync, writevSync } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { dropWritten } from '../../lib/drop-written.js';
import type { BufferPool } from '../read/buffer-pool.js';

/**
 * Largest single write. The kernel sizes new page-cache folios by the write's length and
 * offset; on a VM whose free memory is handed back to the host (virtio-balloon free page
 * reporting) large folios often land on memory the host must fault in again, and the copy into
 * them then costs 3-5x as much (docs/benchmarks.md, "Conversion").
 */
export const WRITE_PIECE = 128 * 1024;
/**
 * Pieces end 64 KiB past a multiple of WRITE_PIECE, so each write fills two 64 KiB folios.
 * Cut at multiples of 128 KiB, each write gets one 128 KiB folio, and those took the slow path
 * too: 1 GiB written in 2 of 8 runs in 1.6-3.2 s instead of 0.27-0.35, against 0.28-0.52 in all
 * 8 for the same writes 64 KiB later; raw→qcow2 spent 337-531 ms in its writes against 327-356
 * (docs/benchmarks.md, "The first and last 30 ms").
 */
const PIECE_PHASE = WRITE_PIECE / 2;

export class PieceWriter {
  position = 0;
  /** Bytes not yet written, in order from heldAt: the start of a piece still being filled. */
  private held: Buffer[] = [];
  private heldAt = 0;

  constructor(
    private readonly handle: FileHandle,
    private readonly pool: BufferPool,
  ) {}

  write(chunk: Buffer): void {
    if (chunk.length === 0) return;
    if (this.held.length === 0) this.heldAt = this.position;
    this.held.push(chunk);
    this.position += chunk.length;
    this.writeHeld(pieceEnd(this.position) - WRITE_PIECE);
  }

  /** Leaves a hole: the file system reads it back as zeros. */
  skip(length: number): void {
    this.writeHeld(this.position);
    this.position += length;
  }

  /** Overwrites bytes written before, once everything written so far is on the file. */
  patch(offset: number, data: Buffer): void {
    this.writeHeld(this.position);
    for (let at = offset; at < offset + data.length; ) {
      const end = Math.min(offset + data.length, pieceEnd(at));
      writeFully(this.handle.fd, data, at, at - offset, end - at);
      at = end;
    }
  }

  async finish(): Promise<void> {
    this.writeHeld(this.position);
    // A trailing hole needs the length set explicitly.
    await this.handle.truncate(this.position);
  }

  /** Writes the held bytes before file offset `end`, a piece at a time; the rest stays held. */
  private writeHeld(end: number): void {
    const held = this.held;
    if (held.length === 0) return;
    let at = this.heldAt;
    // held[i] from byte `from` on is what is left to write.
    let i = 0;
    let from = 0;
    while (at < end) {
      const to = Math.min(end, pieceEnd(at));
      // The usual case, a piece inside one slab, is one write with no array and no view.
      if (held[i]!.length - from >= to - at) writeFully(this.handle.fd, held[i]!, at, from, to - at);
      else writeAllOf(this.handle.fd, views(held, i, from, to - at), at);
      // Past the bytes just written, handing back each buffer they finished.
      for (let left = to - at; left > 0; ) {
        const take = Math.min(held[i]!.length - from, left);
        left -= take;
        from += take;
        if (from === held[i]!.length) {
          this.pool.written(held[i]!);
          i++;
          from = 0;
        }
      }
      at = to;
    }
    if (i === 0 && from === 0) return;
    const rest = held.slice(i);
    if (from > 0) {
      this.pool.written(rest[0]!.subarray(0, from));
      rest[0] = rest[0]!.subarray(from);
    }
    this.held = rest;
    this.heldAt = at;
  }
}

/** Views of `length` bytes of `buffers`, from byte `from` of buffers[i] on. */
function views(buffers: Buffer[], i: number, from: number, length: number): Buffer[] {
  const out: Buffer[] = [];
  for (let left = length; left > 0; i++, from = 0) {
    const take = Math.min(buffers[i]!.length - from, left);
    out.push(buffers[i]!.subarray(from, from + take));
    left -= take;
  }
  return out;
}

/** The end of the piece `at` lies in: the next boundary, PIECE_PHASE past a multiple of WRITE_PIECE. */
function pieceEnd(at: number): number {
  return Math.floor((at + PIECE_PHASE) / WRITE_PIECE) * WRITE_PIECE + WRITE_PIECE - PIECE_PHASE;
}

/** `length` bytes of `buffer` from `from`, at file offset `at`, short writes retried. */
function writeFully(fd: number, buffer: Buffer, at: number, from: number, length: number): void {
  for (let done = 0; done < length; ) done += writeSync(fd, buffer, from + done, length - done, at + done);
}

/** `buffers` one after another at file offset `at`, in one writev, short writes retried. */
function writeAllOf(fd: number, buffers: Buffer[], at: number): void {
  let left = buffers;
  for (let position = at; left.length > 0; ) {
    const written = writevSync(fd, left, position);
    position += written;
    left = dropWritten(left, written);
  }
}
