/**
 * VHD ("vpc") footer and dynamic disk header (Microsoft "Virtual Hard Disk Image Format
 * Specification" v1.0). Big-endian. Both structures carry a checksum: the one's complement of
 * the byte sum with the checksum field taken as zero.
 */
import { InvalidImageDataError } from '../../domain/errors.js';
import { safeU64 } from './source.js';

export const VHD_FOOTER_SIZE = 512;
export const VHD_DYNAMIC_HEADER_SIZE = 1024;
export const VHD_COOKIE = 'conectix';
export const VHD_DYNAMIC_COOKIE = 'cxsparse';
export const VHD_TYPE_FIXED = 2;
export const VHD_TYPE_DYNAMIC = 3;
export const VHD_TYPE_DIFFERENCING = 4;
export const VHD_FOOTER_CHECKSUM_AT = 64;
export const VHD_DYNAMIC_CHECKSUM_AT = 36;
/** BAT entry of a block that is not allocated. */
export const VHD_BAT_UNUSED = 0xffffffff;
/** The spec's maximum geometry; qemu then trusts current_size. */
export const VHD_MAX_CHS_SECTORS = 65535 * 16 * 255;

/** Creator applications whose disks qemu 7.2 sizes by current_size rather than CHS (block/vpc.c). */
const SIZE_BY_CURRENT_SIZE = new Set(['win ', 'qem2', 'd2v ', 'CTXS', 'tap\0']);

export function vhdChecksum(buf: Buffer, checksumAt: number): number {
  let sum = 0;
  for (let i = 0; i < buf.length; i++) {
    if (i < checksumAt || i >= checksumAt + 4) sum += buf[i]!;
  }
  return ~sum >>> 0;
}

export interface VhdFooter {
  readonly diskType: number;
  readonly dataOffset: bigint;
  readonly creatorApp: string;
  readonly currentSize: number;
  readonly cylinders: number;
  readonly heads: number;
  readonly sectorsPerTrack: number;
}

export function isVhdFooter(buf: Buffer): boolean {
  return buf.length >= VHD_FOOTER_SIZE && buf.toString('latin1', 0, 8) === VHD_COOKIE;
}

export function parseVhdFooter(buf: Buffer): VhdFooter {
  if (!isVhdFooter(buf)) throw new InvalidImageDataError('vhd: no footer', { reason: 'format.vhd.invalid_footer' });
  if (vhdChecksum(buf.subarray(0, VHD_FOOTER_SIZE), VHD_FOOTER_CHECKSUM_AT) !== buf.readUInt32BE(VHD_FOOTER_CHECKSUM_AT)) {
    throw new InvalidImageDataError('vhd: footer checksum mismatch', { reason: 'format.vhd.checksum' });
  }
  const geometry = buf.readUInt32BE(56);
  return {
    diskType: buf.readUInt32BE(60),
    dataOffset: buf.readBigUInt64BE(16),
    creatorApp: buf.toString('latin1', 28, 32),
    currentSize: safeU64(buf.readBigUInt64BE(48), 'vhd current size', 'format.vhd.invalid_footer'),
    cylinders: geometry >>> 16,
    heads: (geometry >>> 8) & 0xff,
    sectorsPerTrack: geometry & 0xff,
  };
}

/**
 * The virtual size as qemu 7.2 computes it: Virtual PC sizes disks by CHS geometry, Hyper-V and
 * others by current_size; qemu picks by creator application, and trusts current_size when the
 * geometry is the maximum (it cannot describe larger disks).
 */
export function vhdVirtualSize(footer: VhdFooter): number {
  const chsSectors = footer.cylinders * footer.heads * footer.sectorsPerTrack;
  if (SIZE_BY_CURRENT_SIZE.has(footer.creatorApp) || chsSectors === VHD_MAX_CHS_SECTORS) return footer.currentSize;
  return chsSectors * 512;
}

export interface VhdDynamicHeader {
  readonly tableOffset: number;
  readonly maxTableEntries: number;
  readonly blockSize: number;
}

export function parseVhdDynamicHeader(buf: Buffer): VhdDynamicHeader {
  if (buf.length < VHD_DYNAMIC_HEADER_SIZE || buf.toString('latin1', 0, 8) !== VHD_DYNAMIC_COOKIE) {
    throw new InvalidImageDataError('vhd: no dynamic disk header', { reason: 'format.vhd.invalid_header' });
  }
  if (vhdChecksum(buf.subarray(0, VHD_DYNAMIC_HEADER_SIZE), VHD_DYNAMIC_CHECKSUM_AT) !== buf.readUInt32BE(VHD_DYNAMIC_CHECKSUM_AT)) {
    throw new InvalidImageDataError('vhd: dynamic header checksum mismatch', { reason: 'format.vhd.checksum' });
  }
  const blockSize = buf.readUInt32BE(32);
  // The sector bitmap must fit whole sectors and blocks must be a power of two (qemu requires it too).
  if (blockSize < 512 || (blockSize & (blockSize - 1)) !== 0 || blockSize > 256 * 1024 * 1024) {
    throw new InvalidImageDataError(`vhd: block size ${blockSize} is invalid`, { reason: 'format.vhd.invalid_header' });
  }
  return {
    tableOffset: safeU64(buf.readBigUInt64BE(16), 'vhd BAT offset', 'format.vhd.invalid_header'),
    maxTableEntries: buf.readUInt32BE(28),
    blockSize,
  };
}

/** Bytes of the per-block sector bitmap: one bit per sector, padded to a sector. */
export function vhdBitmapBytes(blockSize: number): number {
  return Math.ceil(blockSize / 512 / 8 / 512) * 512;
}
