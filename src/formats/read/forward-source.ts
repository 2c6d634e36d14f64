/**
 * A `ByteReader` over a Readable, for readers whose format can be consumed front to back
 * (raw, streamOptimized VMDK, qcow2 written in virtual order). A request may start at most
 * `lookbehind` bytes before the furthest request start so far; older bytes are dropped, so
 * memory holds the lookbehind, what the current request spans and one stream chunk. Skipping
 * forward discards as it goes instead of buffering the skipped region.
 */
import type { Readable } from 'node:stream';
import { InvalidImageDataError } from '../../domain/errors.js';
import type { ByteReader } from './source.js';

export class ForwardSource implements ByteReader {
  private readonly iterator: AsyncIterator<Buffer>;
  /** Contiguous chunks covering [start, end). */
  private chunks: Buffer[] = [];
  private start = 0;
  private end = 0;
  private ended = false;
  /** Requests must start here or later. */
  private floor = 0;
  /** Requests run one at a time, in call order, so concurrent callers cannot interleave. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    stream: Readable,
    private readonly format: string,
    private readonly lookbehind = 0,
  ) {
    this.iterator = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  }

  read(offset: number, length: number): Promise<Buffer> {
    const result = this.queue.then(() => this.readInOrder(offset, length));
    this.queue = result.catch(() => undefined);
    return result;
  }

  /** Stops reading the stream (the reader has all it needs, or failed). */
  async close(): Promise<void> {
    this.chunks = [];
    if (!this.ended) {
      this.ended = true;
      await this.iterator.return?.();
    }
  }

  private async readInOrder(offset: number, length: number): Promise<Buffer> {
    if (offset < this.floor) {
      throw new InvalidImageDataError(
        `this ${this.format} image cannot be read as a stream: it needs offset ${offset}, which is already behind; convert it from a seekable source`,
        { reason: 'format.not_streamable' },
      );
    }
    this.floor = Math.max(this.floor, offset - this.lookbehind);
    this.dropBefore(this.floor);
    while (this.end < offset + length && !this.ended) {
      const next = await this.iterator.next();
      if (next.done === true) {
        this.ended = true;
        break;
      }
      const chunk = Buffer.isBuffer(next.value) ? next.value : Buffer.from(next.value);
      if (this.chunks.length === 0) this.start = this.end;
      this.chunks.push(chunk);
      this.end += chunk.length;
      this.dropBefore(this.floor);
    }
    return this.slice(offset, Math.min(offset + length, this.end));
  }

  private dropBefore(offset: number): void {
    while (this.chunks.length > 0 && this.start + this.chunks[0]!.length <= offset) {
      this.start += this.chunks.shift()!.length;
    }
    if (this.chunks.length === 0) this.start = this.end;
  }

  private slice(from: number, to: number): Buffer {
    if (to <= from) return Buffer.alloc(0);
    let i = 0;
    let chunkStart = this.start;
    while (chunkStart + this.chunks[i]!.length <= from) chunkStart += this.chunks[i++]!.length;
    const first = this.chunks[i]!;
    if (to <= chunkStart + first.length) return first.subarray(from - chunkStart, to - chunkStart);
    const out = Buffer.allocUnsafe(to - from);
    let copied = 0;
    for (; i < this.chunks.length && chunkStart < to; i++) {
      const chunk = this.chunks[i]!;
      copied += chunk.copy(out, copied, Math.max(from, chunkStart) - chunkStart, Math.min(to, chunkStart + chunk.length) - chunkStart);
      chunkStart += chunk.length;
    }
    return out;
  }
}
