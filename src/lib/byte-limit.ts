/**
 * A pass-through stage that fails the stream once more than `limit` bytes have passed,
 * so an oversized upload is cut off as soon as it crosses the cap, not after it is stored.
 */
import { Transform, type TransformCallback } from 'node:stream';

export class ByteLimit extends Transform {
  private seen = 0;

  constructor(private readonly limit: number, private readonly makeError: () => Error) {
    super();
  }

  get bytes(): number {
    return this.seen;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.seen += chunk.length;
    if (this.seen > this.limit) callback(this.makeError());
    else callback(null, chunk);
  }
}
