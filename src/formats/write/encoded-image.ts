/** What a writer returns: the output bytes in order, and their total when known in advance. */
export interface EncodedImage {
  /** Exact output size, when the layout fixes it before any data is written. */
  readonly length: number | undefined;
  /** Consume once. */
  readonly chunks: AsyncIterable<Buffer>;
}

/** Shared, never-written zero buffer for padding and zero runs. */
export const ZERO_CHUNK = Buffer.alloc(1024 * 1024);

/** `count` zero bytes as slices of ZERO_CHUNK. */
export function* zeroBytes(count: number): Generator<Buffer> {
  for (let left = count; left > 0; left -= ZERO_CHUNK.length) yield ZERO_CHUNK.subarray(0, Math.min(left, ZERO_CHUNK.length));
}
