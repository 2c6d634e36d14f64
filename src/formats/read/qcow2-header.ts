/**
 * qcow2 header (docs/interop/qcow2.rst in qemu, "Header"). Only what reading needs; the
 * inspector has already refused hostile images, but anything a reader cannot honour safely
 * (backing files, external data, encryption, unknown features) is refused here too.
 */
import { InvalidImageDataError } from '../../domain/errors.js';
import { safeU64 } from './source.js';

export const QCOW2_MAGIC = 0x514649fb;

/** Incompatible feature bits (spec "incompatible_features"). */
const INCOMPAT_DATA_FILE = 1n << 2n;
const INCOMPAT_COMPRESSION = 1n << 3n;
const INCOMPAT_EXTENDED_L2 = 1n << 4n;
const INCOMPAT_KNOWN = (1n << 5n) - 1n;

/** qemu's limit (block/qcow2.h QCOW_MAX_L1_SIZE): 32 MiB of L1 entries. */
const MAX_L1_BYTES = 32 * 1024 * 1024;

export interface Qcow2Header {
  readonly version: 2 | 3;
  readonly clusterBits: number;
  readonly clusterSize: number;
  readonly size: number;
  readonly l1Size: number;
  readonly l1Offset: number;
  readonly compression: 'zlib' | 'zstd';
  readonly extendedL2: boolean;
  /** Bytes per L2 entry: 8, or 16 with extended L2 (entry + subcluster bitmap). */
  readonly l2EntryBytes: number;
  /** Guest bytes one L2 table maps. */
  readonly l2Coverage: number;
}

/** Needs the first 112 bytes of the image (the v3 header up to compression_type, padded). */
export const QCOW2_HEADER_PROBE = 112;

export function parseQcow2Header(buf: Buffer): Qcow2Header {
  const bad = (message: string, reason = 'format.qcow2.invalid_header'): never => {
    throw new InvalidImageDataError(`qcow2: ${message}`, { reason });
  };
  if (buf.length < 72 || buf.readUInt32BE(0) !== QCOW2_MAGIC) bad('not a qcow2 header');
  const version = buf.readUInt32BE(4);
  if (version !== 2 && version !== 3) bad(`unsupported version ${version}`, 'format.qcow2.version');
  if (buf.readBigUInt64BE(8) !== 0n) bad('the image has a backing file', 'format.backing_file');
  const clusterBits = buf.readUInt32BE(20);
  if (clusterBits < 9 || clusterBits > 21) bad(`cluster_bits ${clusterBits} is out of range`);
  const size = safeU64(buf.readBigUInt64BE(24), 'qcow2 virtual size', 'format.qcow2.invalid_header');
  if (buf.readUInt32BE(32) !== 0) bad('the image is encrypted', 'format.encrypted');
  const l1Size = buf.readUInt32BE(36);
  const l1Offset = safeU64(buf.readBigUInt64BE(40), 'qcow2 L1 offset', 'format.qcow2.invalid_header');

  let incompatible = 0n;
  let compression: 'zlib' | 'zstd' = 'zlib';
  if (version === 3) {
    if (buf.length < 104) bad('truncated v3 header');
    incompatible = buf.readBigUInt64BE(72);
    const headerLength = buf.readUInt32BE(100);
    if ((incompatible & ~INCOMPAT_KNOWN) !== 0n) bad('unknown incompatible features', 'format.qcow2.unknown_features');
    if ((incompatible & INCOMPAT_DATA_FILE) !== 0n) bad('the image uses an external data file', 'format.data_file');
    if ((incompatible & INCOMPAT_COMPRESSION) !== 0n) {
      // compression_type (byte 104) exists only when the header is long enough to hold it.
      if (headerLength <= 104 || buf.length < 105) bad('compression type bit set without a compression_type field');
      const type = buf[104];
      if (type === 1) compression = 'zstd';
      else if (type !== 0) bad(`unknown compression type ${type}`, 'format.qcow2.unknown_features');
    }
  }
  const extendedL2 = (incompatible & INCOMPAT_EXTENDED_L2) !== 0n;
  // The spec requires subclusters of at least 512 bytes: 32 per cluster, so clusters >= 16 KiB.
  if (extendedL2 && clusterBits < 14) bad('extended L2 entries need clusters of at least 16 KiB');

  const clusterSize = 2 ** clusterBits;
  const l2EntryBytes = extendedL2 ? 16 : 8;
  const l2Coverage = (clusterSize / l2EntryBytes) * clusterSize;
  if (l1Size * 8 > MAX_L1_BYTES) bad('the L1 table is larger than 32 MiB');
  if (l1Size < Math.ceil(size / l2Coverage)) bad('the L1 table is too small for the virtual size');
  if (l1Offset % clusterSize !== 0 && l1Size > 0) bad('the L1 table is not cluster aligned');
  return { version: version as 2 | 3, clusterBits, clusterSize, size, l1Size, l1Offset, compression, extendedL2, l2EntryBytes, l2Coverage };
}

/** The L2 table offset from an L1 entry (bits 9-55), or 0 when the range is unallocated. */
export function l1EntryOffset(l1: Buffer, index: number, clusterSize: number): number {
  const hi = l1.readUInt32BE(index * 8);
  const lo = l1.readUInt32BE(index * 8 + 4);
  const offset = (hi & 0x00ffffff) * 2 ** 32 + ((lo & 0xfffffe00) >>> 0);
  if (offset % clusterSize !== 0) {
    throw new InvalidImageDataError(`qcow2: L2 table offset ${offset} is not cluster aligned`, { reason: 'format.qcow2.invalid_table' });
  }
  return offset;
}
