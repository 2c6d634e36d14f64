/** raw output: the virtual disk byte for byte; zero runs are written as zeros. */
import type { DiskStream } from '../read/disk.js';
import { zeroBytes, type EncodedImage } from './encoded-image.js';

export function writeRaw(disk: DiskStream): EncodedImage {
  return { length: disk.size, chunks: rawChunks(disk) };
}

async function* rawChunks(disk: DiskStream): AsyncGenerator<Buffer> {
  for await (const extent of disk.extents()) {
    if (extent.kind === 'data') yield extent.data;
    else yield* zeroBytes(extent.length);
  }
}
