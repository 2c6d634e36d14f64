/**
 * Decoding of qcow2 L2 entries (docs/interop/qcow2.rst, "Cluster mapping"), with and without
 * extended L2 entries (subclusters). An image without a backing file reads unallocated clusters
 * and subclusters as zeros, so "unallocated" and "reads as zero" collapse into one kind here.
 */
import { InvalidImageDataError } from '../../domain/errors.js';
import type { Qcow2Header } from './qcow2-header.js';

/** Subclusters per cluster when extended L2 entries are used. */
export const SUBCLUSTERS = 32;

export type ClusterMapping =
  | { readonly kind: 'zero' }
  | { readonly kind: 'data'; readonly hostOffset: number }
  /** `length` is the byte count to read: the spec stores it in whole sectors, counted from the offset's sector. */
  | { readonly kind: 'compressed'; readonly hostOffset: number; readonly length: number }
  /** Some subclusters hold data (bit i of `allocated` = subcluster i); the others read as zeros. */
  | { readonly kind: 'subclusters'; readonly hostOffset: number; readonly allocated: number };

const ZERO: ClusterMapping = { kind: 'zero' };
const COMPRESSED_FLAG = 0x40000000;

type L2Layout = Pick<Qcow2Header, 'clusterBits' | 'clusterSize' | 'extendedL2' | 'l2EntryBytes'>;

export function decodeL2Entry(table: Buffer, index: number, layout: L2Layout): ClusterMapping {
  const at = index * layout.l2EntryBytes;
  const hi = table.readUInt32BE(at);
  const lo = table.readUInt32BE(at + 4);
  if ((hi & COMPRESSED_FLAG) !== 0) return decodeCompressed(hi, lo, layout.clusterBits);

  // Standard cluster descriptor: bits 9-55 host offset, bit 0 "reads as zero".
  const hostOffset = (hi & 0x00ffffff) * 2 ** 32 + ((lo & 0xfffffe00) >>> 0);
  if (hostOffset % layout.clusterSize !== 0) {
    throw invalid(`L2 entry ${index} points to unaligned host offset ${hostOffset}`);
  }
  if (!layout.extendedL2) {
    if ((lo & 1) !== 0 || hostOffset === 0) return ZERO;
    return { kind: 'data', hostOffset };
  }

  // Extended L2: bits 0-31 of the bitmap say "allocated", bits 32-63 "reads as zero"; bit 0 of
  // the descriptor is reserved because the bitmap replaces it.
  const zeroBits = table.readUInt32BE(at + 8);
  const allocated = table.readUInt32BE(at + 12);
  if ((allocated & zeroBits) !== 0) throw invalid(`L2 entry ${index} marks subclusters both allocated and zero`);
  if (allocated === 0) return ZERO;
  if (hostOffset === 0) throw invalid(`L2 entry ${index} has allocated subclusters but no host cluster`);
  if (allocated === 0xffffffff) return { kind: 'data', hostOffset };
  return { kind: 'subclusters', hostOffset, allocated };
}

function decodeCompressed(hi: number, lo: number, clusterBits: number): ClusterMapping {
  // Bits 0..x-1 are the host byte offset, bits x..61 the number of additional 512-byte sectors,
  // with x = 62 - (cluster_bits - 8).
  const x = BigInt(62 - (clusterBits - 8));
  const descriptor = ((BigInt(hi) << 32n) | BigInt(lo >>> 0)) & ((1n << 62n) - 1n);
  const offset = descriptor & ((1n << x) - 1n);
  if (offset > BigInt(Number.MAX_SAFE_INTEGER)) throw invalid('compressed cluster offset is out of range');
  const hostOffset = Number(offset);
  const sectors = Number(descriptor >> x) + 1;
  return { kind: 'compressed', hostOffset, length: sectors * 512 - (hostOffset % 512) };
}

function invalid(message: string): InvalidImageDataError {
  return new InvalidImageDataError(`qcow2: ${message}`, { reason: 'format.qcow2.invalid_table' });
}
