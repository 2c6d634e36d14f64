/**
 * qcow2 metadata tables (qemu docs/interop/qcow2.rst, "Host cluster management", "Cluster
 * mapping", "Snapshots"). Each walk is an independent task so that the tables can sit anywhere
 * after the header in any order; large tables are scanned, never held.
 */
import { off64, u64 } from './bytes.js';
import { OFFSET_CLAMP, read, refuse, scan, SECOND_LEVEL_SCAN_BUDGET } from './task.js';
import type { Task } from './task.js';

/** qemu block/qcow2.h limits. */
export const QCOW_MAX_L1_BYTES = 32 << 20;
export const QCOW_MAX_REFTABLE_BYTES = 8 << 20;
export const QCOW_MAX_SNAPSHOTS = 65536;
const QCOW_MAX_SNAPSHOTS_SIZE = 64 << 20;
const QCOW_MAX_SNAPSHOT_EXTRA = 1024;

/** Host offset in bits 9..55 of an L1/refcount-table entry, from its two 32-bit halves. */
function entryOffset(rec: Buffer, at: number, highMask: number): number {
  const hi = (rec.readUInt32BE(at) & highMask) >>> 0;
  const lo = (rec.readUInt32BE(at + 4) & 0xfffffe00) >>> 0;
  return hi >= 0x100000 ? OFFSET_CLAMP : hi * 2 ** 32 + lo;
}

export interface SnapshotSummary {
  /** End of the snapshot table. */
  tableEnd: number;
  /** End of the furthest snapshot L1 table. */
  l1End: number;
}

/** Walks the snapshot table entry by entry, checking each snapshot's L1 table and disk size. */
export function* snapshotTable(offset: number, count: number, clusterSize: number, maxVirtualSize: number): Task<SnapshotSummary> {
  let at = offset;
  let tableEnd = offset;
  let l1End = 0;
  for (let i = 0; i < count; i++) {
    const e = yield* read(at, 40);
    if (e.length < 40) refuse('truncated', `the file ends inside snapshot table entry ${i}`);
    const l1Offset = off64(e, 0);
    const l1Size = e.readUInt32BE(8);
    const idLen = e.readUInt16BE(12);
    const nameLen = e.readUInt16BE(14);
    const extra = e.readUInt32BE(36);
    if (extra > QCOW_MAX_SNAPSHOT_EXTRA) refuse('invalid_header', `snapshot ${i} has ${extra} bytes of extra data (qemu allows ${QCOW_MAX_SNAPSHOT_EXTRA})`);
    if (l1Offset % clusterSize !== 0) refuse('invalid_header', `snapshot ${i} L1 table offset ${l1Offset} is not cluster aligned`);
    if (l1Size * 8 > QCOW_MAX_L1_BYTES) refuse('invalid_header', `snapshot ${i} L1 table is larger than qemu's ${QCOW_MAX_L1_BYTES}-byte limit`);
    if (l1Size > 0) l1End = Math.max(l1End, l1Offset + l1Size * 8);
    if (extra >= 16) {
      // Extra data: vm_state_size_large (8), disk_size (8): reverting or converting a snapshot
      // produces a disk of that size, so the size policy applies to it too.
      const x = yield* read(at + 40, 16);
      if (x.length < 16) refuse('truncated', `the file ends inside snapshot table entry ${i}`);
      const diskSize = u64(x, 8);
      if (diskSize > BigInt(maxVirtualSize)) {
        refuse('virtual_size_too_large', `snapshot ${i} has a virtual size of ${diskSize} bytes, above the limit of ${maxVirtualSize}`);
      }
    }
    // Entries are padded to 8 bytes, but qemu writes the last one without its padding.
    tableEnd = at + 40 + extra + idLen + nameLen;
    at += Math.ceil((40 + extra + idLen + nameLen) / 8) * 8;
    if (at - offset > QCOW_MAX_SNAPSHOTS_SIZE) refuse('invalid_header', 'the snapshot table is larger than qemu allows');
  }
  return { tableEnd, l1End };
}

/** Scans the active L1 table: every L2 table must be cluster aligned; returns the furthest L2 end. */
export function* l1Table(offset: number, entries: number, clusterSize: number): Task<number> {
  let maxEnd = 0;
  yield* scan(offset, entries * 8, 8, (rec) => {
    for (let at = 0; at < rec.length; at += 8) {
      const l2 = entryOffset(rec, at, 0x00ffffff);
      if (l2 === 0) continue;
      if (l2 % clusterSize !== 0) refuse('invalid_header', `an L1 entry points to an unaligned L2 table at ${l2}`);
      maxEnd = Math.max(maxEnd, l2 + clusterSize);
    }
  });
  return maxEnd;
}

export interface RefcountSummary {
  /** End of the furthest refcount block. */
  blockEnd: number;
  /** Highest host cluster index with a non-zero refcount, -1 if none was seen. */
  maxUsedCluster: number;
}

/**
 * Scans the refcount table, then the refcount blocks it points to. The blocks tell which host
 * clusters are in use, so a file cut short shows up even when only data clusters are missing.
 * Blocks placed before the end of the refcount table cannot be reached in one pass; they are
 * skipped (by both drivers alike), which only weakens this truncation check for such files.
 * `countUsage` is false when refcounts may be stale (dirty bit).
 */
export function* refcounts(offset: number, bytes: number, clusterSize: number, refcountOrder: number, countUsage: boolean): Task<RefcountSummary> {
  let blockEnd = 0;
  const blocks: number[] = [];
  const maxBlocks = Math.floor(SECOND_LEVEL_SCAN_BUDGET / clusterSize);
  let followable = true;
  yield* scan(offset, bytes, 8, (rec, first) => {
    for (let i = 0; i < rec.length / 8; i++) {
      const block = entryOffset(rec, i * 8, 0xffffffff);
      if (block === 0) continue;
      if (block % clusterSize !== 0) refuse('invalid_header', `a refcount table entry points to an unaligned block at ${block}`);
      blockEnd = Math.max(blockEnd, block + clusterSize);
      if (blocks.length / 2 >= maxBlocks) followable = false;
      else blocks.push(block, first + i);
    }
  });
  let maxUsedCluster = -1;
  if (!countUsage || !followable) return { blockEnd, maxUsedCluster };

  const bits = 2 ** refcountOrder;
  const perBlock = (clusterSize * 8) / bits;
  const order = Array.from({ length: blocks.length / 2 }, (_, k) => k).sort((a, b) => blocks[2 * a]! - blocks[2 * b]!);
  let pos = offset + bytes;
  for (const k of order) {
    const at = blocks[2 * k]!;
    const base = blocks[2 * k + 1]! * perBlock;
    if (at < pos) continue;
    pos = at + clusterSize;
    const recordBytes = Math.max(1, bits / 8);
    yield* scan(at, clusterSize, recordBytes, (rec, first) => {
      // Only the highest used index matters: walk the chunk backwards.
      for (let j = rec.length - 1; j >= 0; j--) {
        const byte = rec[j]!;
        if (byte === 0) continue;
        let index: number;
        if (bits >= 8) index = first + Math.floor(j / recordBytes);
        else {
          const perByte = 8 / bits;
          let sub = perByte - 1;
          // Sub-byte refcounts are packed from the least significant bits (qcow2.rst).
          while (sub > 0 && ((byte >> (sub * bits)) & ((1 << bits) - 1)) === 0) sub--;
          index = (first + j) * perByte + sub;
        }
        maxUsedCluster = Math.max(maxUsedCluster, base + index);
        return;
      }
    });
  }
  return { blockEnd, maxUsedCluster };
}
