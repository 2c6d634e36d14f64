/**
 * VHD reader: fixed disks are raw data followed by the footer; dynamic disks map 2 MiB (usually)
 * blocks through the BAT. Like qemu, the per-block sector bitmap is not consulted: a dynamic,
 * parentless disk stores every sector of an allocated block, and qemu reads the block as is.
 */
import { InvalidImageDataError } from '../../domain/errors.js';
import { blockTableDisk } from './block-table.reader.js';
import type { SeekableDisk } from './disk.js';
import { rawDisk } from './raw.reader.js';
import { readExact, type RandomAccessSource } from './source.js';
import {
  isVhdFooter,
  parseVhdDynamicHeader,
  parseVhdFooter,
  VHD_BAT_UNUSED,
  VHD_DYNAMIC_HEADER_SIZE,
  VHD_FOOTER_SIZE,
  VHD_TYPE_DIFFERENCING,
  VHD_TYPE_DYNAMIC,
  VHD_TYPE_FIXED,
  vhdBitmapBytes,
  vhdVirtualSize,
} from './vhd-footer.js';

export async function vhdDisk(source: RandomAccessSource): Promise<SeekableDisk> {
  if (source.size < VHD_FOOTER_SIZE) throw new InvalidImageDataError('vhd: file too small', { reason: 'format.vhd.truncated' });
  // Dynamic disks keep a footer copy at offset 0; qemu reads that one first, then the end.
  const head = await readExact(source, 0, VHD_FOOTER_SIZE, 'vhd footer', 'format.vhd.truncated');
  const footer = parseVhdFooter(isVhdFooter(head) ? head : await readExact(source, source.size - VHD_FOOTER_SIZE, VHD_FOOTER_SIZE, 'vhd footer', 'format.vhd.truncated'));
  const size = vhdVirtualSize(footer);

  if (footer.diskType === VHD_TYPE_FIXED) {
    if (size > source.size - VHD_FOOTER_SIZE) throw new InvalidImageDataError('vhd: fixed disk data is shorter than its size', { reason: 'format.vhd.truncated' });
    // The data region is the file up to the footer; reads must not run into it.
    const clamp = (offset: number, length: number) => Math.max(0, Math.min(length, size - offset));
    const readInto = source.readInto?.bind(source);
    return rawDisk({
      size,
      read: (offset, length) => source.read(offset, clamp(offset, length)),
      ...(source.pool === undefined ? {} : { pool: source.pool }),
      ...(readInto === undefined ? {} : { readInto: (target: Buffer, offset: number) => readInto(target.subarray(0, clamp(offset, target.length)), offset) }),
    });
  }
  if (footer.diskType === VHD_TYPE_DIFFERENCING) throw new InvalidImageDataError('vhd: differencing disks name a parent', { reason: 'format.backing_file' });
  if (footer.diskType !== VHD_TYPE_DYNAMIC) throw new InvalidImageDataError(`vhd: unknown disk type ${footer.diskType}`, { reason: 'format.vhd.invalid_footer' });

  if (footer.dataOffset > BigInt(source.size)) throw new InvalidImageDataError('vhd: dynamic header is beyond the end', { reason: 'format.vhd.truncated' });
  const header = parseVhdDynamicHeader(await readExact(source, Number(footer.dataOffset), VHD_DYNAMIC_HEADER_SIZE, 'vhd dynamic header', 'format.vhd.truncated'));
  const blocks = Math.ceil(size / header.blockSize);
  if (blocks > header.maxTableEntries) throw new InvalidImageDataError('vhd: the BAT is too small for the disk size', { reason: 'format.vhd.invalid_header' });
  const bat = await readExact(source, header.tableOffset, blocks * 4, 'vhd BAT', 'format.vhd.truncated');
  const bitmap = vhdBitmapBytes(header.blockSize);
  return blockTableDisk(source, {
    format: 'vhd',
    size,
    blockSize: header.blockSize,
    hostOffset(index) {
      const sector = bat.readUInt32BE(index * 4);
      return sector === VHD_BAT_UNUSED ? undefined : sector * 512 + bitmap;
    },
  });
}
