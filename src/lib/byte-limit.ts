/**
 * A pass-through stage that fails the stream once more than `limit` bytes have passed,
 * so an oversized upload is cut off as soon as it crosses the cap, not after it is stored.
 * The error is the caller's (e.g. PayloadTooLargeError for image_size_cap), so it stays typed.
 */
import { Transform, type TransformCallback } from 'node:stream';
import type { ImagoError } from '../domain/errors.js';

export class ByteLimit extends Transform {
  private seen = 0;

  constructor(private readonly limit: number, private readonly makeError: () => ImagoError) {
    super();
  }

  /** Bytes seen so far, including a chunk that crossed the limit. */
  get bytes(): number {
    return this.seen;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.seen += chunk.length;
    if (this.seen > this.limit) callback(this.makeError());
    else callback(null, chunk);
  }
}
