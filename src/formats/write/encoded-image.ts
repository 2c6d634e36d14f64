/** What a writer returns: the output bytes in order, and their total when known in advance. */
export interface EncodedImage {
  /** Exact output size, when the layout fixes it before any data is written. */
  readonly length: number | undefined;
  /** Consume once. */
  readonly chunks: AsyncIterable<Buffer>;
}

/**
 * An image for an output that can be written out of order (a file): the chunks go out front to
 * back, then each patch overwrites bytes already written. Lets a writer lay out its tables while
 * it reads the disk, in one pass, instead of planning with a first pass.
 */
export interface PatchedImage {
  /** Consume once. */
  readonly chunks: AsyncIterable<Buffer>;
  /** Only once `chunks` is consumed: bytes to write at `offset`, inside what the chunks wrote. */
  patches(): readonly { readonly offset: number; readonly data: Buffer }[];
}

/** Shared, never-written zero buffer for padding and zero runs. */
export const ZERO_CHUNK = Buffer.alloc(1024 * 1024);

/** `count` zero bytes as slices of ZERO_CHUNK. */
export function* zeroBytes(count: number): Generator<Buffer> {
  for (let left = count; left > 0; left -= ZERO_CHUNK.length) yield ZERO_CHUNK.subarray(0, Math.min(left, ZERO_CHUNK.length));
}
