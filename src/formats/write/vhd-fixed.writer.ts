/** Fixed VHD: the disk as raw bytes (padded to the VHD size), then the 512-byte footer. */
import type { DiskStream } from '../read/disk.js';
import { VHD_TYPE_FIXED } from '../read/vhd-footer.js';
import { zeroBytes, type EncodedImage } from './encoded-image.js';
import { writeRaw } from './raw.writer.js';
import { vhdFooter, vhdSize, type VhdSizeOptions } from './vhd-footer.js';

export function writeVhdFixed(disk: DiskStream, options: VhdSizeOptions = {}): EncodedImage {
  const size = vhdSize(disk.size, options);
  return { length: size + 512, chunks: fixedChunks(disk, size) };
}

async function* fixedChunks(disk: DiskStream, size: number): AsyncGenerator<Buffer> {
  yield* writeRaw(disk).chunks;
  yield* zeroBytes(size - disk.size);
  yield vhdFooter({ size, diskType: VHD_TYPE_FIXED });
}
