/**
 * Building VHD footers and dynamic headers (Microsoft VHD specification v1.0).
 *
 * The creator application is "win " (Hyper-V). qemu 7.2 sizes a VHD by its CHS geometry unless
 * the creator is one it knows to use current_size (block/vpc.c); CHS cannot express most sizes
 * (in particular Azure's whole-MiB sizes), while Hyper-V, Azure and VirtualBox all read
 * current_size. Declaring Hyper-V semantics makes every reader agree on current_size.
 */
import { randomBytes } from 'node:crypto';
import { BadRequestError } from '../../domain/errors.js';
import {
  VHD_COOKIE,
  VHD_DYNAMIC_CHECKSUM_AT,
  VHD_DYNAMIC_COOKIE,
  VHD_DYNAMIC_HEADER_SIZE,
  VHD_FOOTER_CHECKSUM_AT,
  VHD_FOOTER_SIZE,
  VHD_MAX_CHS_SECTORS,
  vhdChecksum,
} from '../read/vhd-footer.js';

/** qemu's and Hyper-V's VHD limit: 0xff000000 sectors (about 2040 GiB). */
export const VHD_MAX_SIZE = 0xff000000 * 512;
const MIB = 1024 * 1024;
/** Seconds from the Unix epoch to the VHD epoch, 2000-01-01T00:00:00Z. */
const VHD_EPOCH = 946684800;
const NO_OFFSET = 0xffffffffffffffffn;

export interface VhdSizeOptions {
  /** Round the virtual size up to a whole MiB, as Azure requires. */
  readonly alignTo1MiB?: boolean;
}

/** The VHD's virtual size for a disk of `size` bytes: whole sectors, optionally whole MiB. */
export function vhdSize(size: number, options: VhdSizeOptions): number {
  const unit = options.alignTo1MiB === true ? MIB : 512;
  const rounded = Math.ceil(size / unit) * unit;
  if (rounded > VHD_MAX_SIZE) throw new BadRequestError(`a VHD holds at most ${VHD_MAX_SIZE} bytes`, { reason: 'convert.vhd_too_large' });
  return rounded;
}

/** CHS geometry per the specification's appendix algorithm (rounds down, caps at 65535/16/255). */
export function chsGeometry(size: number): { cylinders: number; heads: number; sectorsPerTrack: number } {
  const totalSectors = Math.min(Math.floor(size / 512), VHD_MAX_CHS_SECTORS);
  let sectorsPerTrack: number;
  let heads: number;
  let cylinderTimesHeads: number;
  if (totalSectors >= 65535 * 16 * 63) {
    sectorsPerTrack = 255;
    heads = 16;
    cylinderTimesHeads = Math.floor(totalSectors / sectorsPerTrack);
  } else {
    sectorsPerTrack = 17;
    cylinderTimesHeads = Math.floor(totalSectors / sectorsPerTrack);
    heads = Math.max(4, Math.floor((cylinderTimesHeads + 1023) / 1024));
    if (cylinderTimesHeads >= heads * 1024 || heads > 16) {
      sectorsPerTrack = 31;
      heads = 16;
      cylinderTimesHeads = Math.floor(totalSectors / sectorsPerTrack);
    }
    if (cylinderTimesHeads >= heads * 1024) {
      sectorsPerTrack = 63;
      heads = 16;
      cylinderTimesHeads = Math.floor(totalSectors / sectorsPerTrack);
    }
  }
  return { cylinders: Math.floor(cylinderTimesHeads / heads), heads, sectorsPerTrack };
}

export function vhdFooter(fields: { size: number; diskType: number; dataOffset?: number; now?: Date; uniqueId?: Buffer }): Buffer {
  const f = Buffer.alloc(VHD_FOOTER_SIZE);
  f.write(VHD_COOKIE, 0, 'latin1');
  f.writeUInt32BE(0x00000002, 8); // features: the "reserved" bit the spec says is always set
  f.writeUInt32BE(0x00010000, 12); // file format version 1.0
  f.writeBigUInt64BE(fields.dataOffset === undefined ? NO_OFFSET : BigInt(fields.dataOffset), 16);
  const seconds = Math.floor((fields.now ?? new Date()).getTime() / 1000) - VHD_EPOCH;
  f.writeUInt32BE(Math.max(0, seconds) >>> 0, 24);
  f.write('win ', 28, 'latin1');
  f.writeUInt32BE(0x000a0000, 32); // creator version
  f.write('Wi2k', 36, 'latin1'); // creator host OS: Windows
  f.writeBigUInt64BE(BigInt(fields.size), 40); // original size
  f.writeBigUInt64BE(BigInt(fields.size), 48); // current size
  const chs = chsGeometry(fields.size);
  f.writeUInt16BE(chs.cylinders, 56);
  f.writeUInt8(chs.heads, 58);
  f.writeUInt8(chs.sectorsPerTrack, 59);
  f.writeUInt32BE(fields.diskType, 60);
  (fields.uniqueId ?? randomBytes(16)).copy(f, 68);
  f.writeUInt32BE(vhdChecksum(f, VHD_FOOTER_CHECKSUM_AT), VHD_FOOTER_CHECKSUM_AT);
  return f;
}

export function vhdDynamicHeader(fields: { tableOffset: number; maxTableEntries: number; blockSize: number }): Buffer {
  const h = Buffer.alloc(VHD_DYNAMIC_HEADER_SIZE);
  h.write(VHD_DYNAMIC_COOKIE, 0, 'latin1');
  h.writeBigUInt64BE(NO_OFFSET, 8); // data offset: unused
  h.writeBigUInt64BE(BigInt(fields.tableOffset), 16);
  h.writeUInt32BE(0x00010000, 24); // header version
  h.writeUInt32BE(fields.maxTableEntries, 28);
  h.writeUInt32BE(fields.blockSize, 32);
  h.writeUInt32BE(vhdChecksum(h, VHD_DYNAMIC_CHECKSUM_AT), VHD_DYNAMIC_CHECKSUM_AT);
  return h;
}
