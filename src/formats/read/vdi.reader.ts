/**
 * VirtualBox VDI (qemu block/vdi.c VdiHeader). A 1 MiB-block table at offset_bmap maps each
 * block to its index in the data area; 0xFFFFFFFF (unallocated) and 0xFFFFFFFE (discarded) read
 * as zeros. Static images are the same with every block mapped.
 */
import { InvalidImageDataError } from '../../domain/errors.js';
import { blockTableDisk } from './block-table.reader.js';
import type { SeekableDisk } from './disk.js';
import { readExact, safeU64, type RandomAccessSource } from './source.js';

const VDI_SIGNATURE = 0xbeda107f;
const VDI_VERSION_1_1 = 0x00010001;
const TYPE_DYNAMIC = 1;
const TYPE_STATIC = 2;
/** Entries at or above this value are not backed by a block. */
const FIRST_UNMAPPED = 0xfffffffe;

export async function vdiDisk(source: RandomAccessSource): Promise<SeekableDisk> {
  const bad = (message: string, reason = 'format.vdi.invalid_header'): never => {
    throw new InvalidImageDataError(`vdi: ${message}`, { reason });
  };
  const h = await readExact(source, 0, 512, 'vdi header', 'format.vdi.truncated');
  if (h.readUInt32LE(0x40) !== VDI_SIGNATURE) bad('not a VDI header');
  if (h.readUInt32LE(0x44) !== VDI_VERSION_1_1) bad(`unsupported version ${h.readUInt32LE(0x44).toString(16)}`);
  const type = h.readUInt32LE(0x4c);
  if (type !== TYPE_DYNAMIC && type !== TYPE_STATIC) bad(`image type ${type} (undo/differencing) is not supported`, 'format.backing_file');
  if (!h.subarray(0x1a8, 0x1c8).equals(Buffer.alloc(32))) bad('the image links to a parent', 'format.backing_file');
  const bmapOffset = h.readUInt32LE(0x154);
  const dataOffset = h.readUInt32LE(0x158);
  const size = safeU64(h.readBigUInt64LE(0x170), 'vdi disk size', 'format.vdi.invalid_header');
  const blockSize = h.readUInt32LE(0x178);
  const blocksInImage = h.readUInt32LE(0x180);
  if (blockSize < 512 || blockSize > 256 * 1024 * 1024 || (blockSize & (blockSize - 1)) !== 0) bad(`block size ${blockSize} is invalid`);
  // qemu does not support "block extra" data before each block either.
  if (h.readUInt32LE(0x17c) !== 0) bad('blocks with extra data are not supported');
  const blocks = Math.ceil(size / blockSize);
  if (blocks > blocksInImage) bad('the block map is too small for the disk size');
  const bmap = await readExact(source, bmapOffset, blocks * 4, 'vdi block map', 'format.vdi.truncated');
  return blockTableDisk(source, {
    format: 'vdi',
    size,
    blockSize,
    hostOffset(index) {
      const entry = bmap.readUInt32LE(index * 4);
      return entry >= FIRST_UNMAPPED ? undefined : dataOffset + entry * blockSize;
    },
  });
}
