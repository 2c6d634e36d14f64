/**
 * Passes chunks through unchanged while counting them for a progress listener. Generators
 * keep back-pressure intact: the next chunk is only pulled when the consumer asks for it, so
 * a file of any size streams with a few chunks in memory.
 */
import type { ProgressListener } from './image-types.js';

export async function* countBytes(
  source: AsyncIterable<Uint8Array>,
  total: number | undefined,
  onProgress: ProgressListener | undefined,
): AsyncGenerator<Uint8Array, void, undefined> {
  let transferred = 0;
  onProgress?.(0, total);
  for await (const chunk of source) {
    // Readable streams in object mode or with an encoding would yield strings; refuse them early.
    if (!(chunk instanceof Uint8Array)) throw new TypeError('image data must be a stream of bytes (Uint8Array/Buffer chunks)');
    transferred += chunk.byteLength;
    onProgress?.(transferred, total);
    yield chunk;
  }
}
