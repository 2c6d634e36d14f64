/**
 * VMDK hosted sparse extent header and stream markers (VMware "Virtual Disk Format 1.1",
 * "Hosted Sparse Extent Header" and "Stream-Optimized Compressed Sparse Extents"). All fields
 * are little-endian; sizes and offsets are in 512-byte sectors.
 */
import { InvalidImageDataError } from '../../domain/errors.js';
import { safeU64 } from './source.js';

export const SECTOR = 512;
export const VMDK_MAGIC = 0x564d444b; // "KDMV" read as LE u32
/** gdOffset value meaning "the grain directory is found through the footer at the end". */
export const GD_AT_END = 0xffffffffffffffffn;

export const FLAG_NEWLINE_TEST = 1 << 0;
export const FLAG_ZEROED_GRAIN_GTE = 1 << 2;
export const FLAG_COMPRESSED = 1 << 16;
export const FLAG_MARKERS = 1 << 17;
export const COMPRESSION_DEFLATE = 1;

export const MARKER_EOS = 0;
export const MARKER_GT = 1;
export const MARKER_GD = 2;
export const MARKER_FOOTER = 3;

export interface VmdkHeader {
  readonly version: number;
  readonly flags: number;
  readonly capacity: number;
  readonly grainSectors: number;
  readonly descriptorOffset: number;
  readonly descriptorSize: number;
  readonly gtesPerGt: number;
  /** Sector of the grain directory, or undefined when it is at the end (see the footer). */
  readonly gdOffset: number | undefined;
  readonly overhead: number;
  readonly compressed: boolean;
  readonly markers: boolean;
  readonly zeroedGrainGte: boolean;
}

export function parseVmdkHeader(buf: Buffer): VmdkHeader {
  const bad = (message: string, reason = 'format.vmdk.invalid_header'): never => {
    throw new InvalidImageDataError(`vmdk: ${message}`, { reason });
  };
  if (buf.length < SECTOR || buf.readUInt32LE(0) !== VMDK_MAGIC) bad('not a hosted sparse extent header');
  const version = buf.readUInt32LE(4);
  if (version < 1 || version > 3) bad(`unsupported version ${version}`);
  const flags = buf.readUInt32LE(8);
  const capacity = safeU64(buf.readBigUInt64LE(12), 'vmdk capacity', 'format.vmdk.invalid_header');
  const grainSectors = safeU64(buf.readBigUInt64LE(20), 'vmdk grain size', 'format.vmdk.invalid_header');
  const gtesPerGt = buf.readUInt32LE(44);
  const gd = buf.readBigUInt64LE(56);
  const compressed = (flags & FLAG_COMPRESSED) !== 0;
  // qemu refuses grains over 2 MiB (0x200000 sectors is its l2 limit; 4096 sectors its grain cap).
  if (grainSectors < 1 || grainSectors > 4096 || (grainSectors & (grainSectors - 1)) !== 0) bad(`grain size ${grainSectors} sectors is invalid`);
  if (gtesPerGt < 1 || gtesPerGt > 65536) bad(`${gtesPerGt} entries per grain table is invalid`);
  if (capacity === 0) bad('capacity 0 (a descriptor-only VMDK) is not a single-file sparse disk', 'format.vmdk.descriptor');
  if (compressed && buf.readUInt16LE(77) !== COMPRESSION_DEFLATE) bad('unknown compression algorithm');
  return {
    version,
    flags,
    capacity,
    grainSectors,
    descriptorOffset: safeU64(buf.readBigUInt64LE(28), 'vmdk descriptor offset', 'format.vmdk.invalid_header'),
    descriptorSize: safeU64(buf.readBigUInt64LE(36), 'vmdk descriptor size', 'format.vmdk.invalid_header'),
    gtesPerGt,
    gdOffset: gd === GD_AT_END ? undefined : safeU64(gd, 'vmdk grain directory offset', 'format.vmdk.invalid_header'),
    overhead: safeU64(buf.readBigUInt64LE(64), 'vmdk overhead', 'format.vmdk.invalid_header'),
    compressed,
    markers: (flags & FLAG_MARKERS) !== 0,
    zeroedGrainGte: (flags & FLAG_ZEROED_GRAIN_GTE) !== 0,
  };
}

/** Only single-file sparse extents are readable; flat/split descriptors name other files. */
export function checkDescriptor(text: string): void {
  const createType = /^\s*createType\s*=\s*"([^"]*)"/m.exec(text)?.[1];
  if (createType !== 'monolithicSparse' && createType !== 'streamOptimized') {
    throw new InvalidImageDataError(`vmdk: createType ${createType ?? '(none)'} is not a single-file sparse disk`, { reason: 'format.vmdk.descriptor' });
  }
  if (/^\s*parentFileNameHint\s*=/m.test(text)) {
    throw new InvalidImageDataError('vmdk: the disk names a parent', { reason: 'format.backing_file' });
  }
}

export type Marker =
  | { readonly kind: 'grain'; readonly lba: number; readonly size: number }
  | { readonly kind: 'metadata'; readonly type: number; readonly sectors: number };

/**
 * A stream marker: u64 value, u32 size, then either compressed grain data (size > 0, value =
 * the grain's first sector) or a u32 metadata type (size = 0, value = sectors that follow).
 */
export function parseMarker(buf: Buffer): Marker {
  if (buf.length < 16) throw new InvalidImageDataError('vmdk: truncated stream marker', { reason: 'format.vmdk.truncated' });
  const value = safeU64(buf.readBigUInt64LE(0), 'vmdk marker value', 'format.vmdk.invalid_marker');
  const size = buf.readUInt32LE(8);
  if (size > 0) return { kind: 'grain', lba: value, size };
  return { kind: 'metadata', type: buf.readUInt32LE(12), sectors: value };
}

/** Bytes a grain marker and its data occupy: both padded together to whole sectors. */
export function grainRecordBytes(size: number): number {
  return Math.ceil((12 + size) / SECTOR) * SECTOR;
}
