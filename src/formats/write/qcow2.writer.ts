/**
 * qcow2 v3 output, written front to back. For a stream, all metadata comes first, in the order
 *   header | refcount table | L1 | refcount blocks | L2 tables | data clusters (virtual order)
 * which needs to know, before the first byte, which clusters hold data: the allocation plan from
 * a first pass over the (seekable) input. For a file, one pass suffices: the data clusters come
 * first, the tables (same order) after them, and the header is written last over cluster 0
 *   header | data clusters (virtual order) | refcount table | L1 | refcount blocks | L2 tables
 * Every used cluster has refcount 1, so L1/L2 entries carry QCOW_OFLAG_COPIED as the spec
 * requires for refcount-1 clusters.
 */
import type { DiskStream, SeekableDisk } from '../read/disk.js';
import { QCOW2_MAGIC } from '../read/qcow2-header.js';
import { AllocationPlan } from './allocation-plan.js';
import { blocks } from './blocks.js';
import { zeroBytes, type EncodedImage, type PatchedImage } from './encoded-image.js';

const CLUSTER_BITS = 16;
const CLUSTER = 2 ** CLUSTER_BITS;
const L2_ENTRIES = CLUSTER / 8;
/** refcount_order 4: 16-bit refcounts, qemu's default. */
const REFCOUNT_ORDER = 4;
const REFCOUNTS_PER_BLOCK = CLUSTER / 2;
const REFTABLE_ENTRIES_PER_CLUSTER = CLUSTER / 8;
/** Bit 63 of L1/L2 entries: refcount is exactly one. */
const COPIED = 0x80000000;
const V3_HEADER_LENGTH = 104;
/** One 16-bit big-endian refcount of 1, the pattern refcount blocks are filled with. */
const REFCOUNT_ONE = Buffer.from([0, 1]);

export interface Qcow2Layout {
  readonly size: number;
  readonly l1Size: number;
  readonly refcountTableClusters: number;
  readonly l1Clusters: number;
  readonly refcountBlocks: number;
  /** Groups (one L2 table each) with at least one data cluster, in order. */
  readonly l2Groups: number[];
  readonly totalClusters: number;
  /** First cluster index of each region. */
  readonly at: { readonly refcountTable: number; readonly l1: number; readonly refcountBlocks: number; readonly l2: number; readonly data: number };
}

/** `dataFirst`: data clusters right after the header, metadata after them (file output). */
export function planQcow2Layout(plan: AllocationPlan, dataFirst = false): Qcow2Layout {
  const l1Size = Math.ceil(plan.blockCount / L2_ENTRIES);
  const l1Clusters = Math.max(1, Math.ceil((l1Size * 8) / CLUSTER));
  const l2Groups: number[] = [];
  for (let g = 0; g < l1Size; g++) {
    if (plan.nextAllocated(g * L2_ENTRIES, Math.min(plan.blockCount, (g + 1) * L2_ENTRIES)) !== -1) l2Groups.push(g);
  }
  const fixed = 1 + l1Clusters + l2Groups.length + plan.allocated;
  // Refcount blocks must also count themselves and the table: iterate to the fixed point.
  let refcountBlocks = 0;
  let refcountTableClusters = 0;
  for (;;) {
    const total = fixed + refcountBlocks + refcountTableClusters;
    const blocksNeeded = Math.ceil(total / REFCOUNTS_PER_BLOCK);
    const tableNeeded = Math.ceil(blocksNeeded / REFTABLE_ENTRIES_PER_CLUSTER);
    if (blocksNeeded === refcountBlocks && tableNeeded === refcountTableClusters) break;
    refcountBlocks = blocksNeeded;
    refcountTableClusters = tableNeeded;
  }
  const refcountTable = dataFirst ? 1 + plan.allocated : 1;
  const l1 = refcountTable + refcountTableClusters;
  const refcountBlocksAt = l1 + l1Clusters;
  const l2 = refcountBlocksAt + refcountBlocks;
  const data = dataFirst ? 1 : l2 + l2Groups.length;
  return {
    size: plan.size,
    l1Size,
    refcountTableClusters,
    l1Clusters,
    refcountBlocks,
    l2Groups,
    totalClusters: 1 + refcountTableClusters + l1Clusters + refcountBlocks + l2Groups.length + plan.allocated,
    at: { refcountTable, l1, refcountBlocks: refcountBlocksAt, l2, data },
  };
}

export async function writeQcow2(disk: SeekableDisk): Promise<EncodedImage> {
  const plan = await AllocationPlan.fromMap(disk.map(), disk.size, CLUSTER);
  const layout = planQcow2Layout(plan);
  return { length: layout.totalClusters * CLUSTER, chunks: qcow2Chunks(disk, plan, layout) };
}

async function* qcow2Chunks(disk: SeekableDisk, plan: AllocationPlan, layout: Qcow2Layout): AsyncGenerator<Buffer> {
  yield header(layout);
  yield* metadata(plan, layout);
  for await (const block of blocks(disk.extents(), disk.size, CLUSTER)) {
    if (block.kind === 'data') {
      for (let i = block.index; i < block.index + block.count; i++) {
        if (!plan.has(i)) throw new Error(`qcow2 writer: cluster ${i} has data the planning pass did not see`);
      }
      yield block.data;
      continue;
    }
    // Planned as data but read as zeros (a sparse format's map is conservative): the cluster
    // is already referenced, so it is written as zeros.
    const end = block.index + block.count;
    for (let i = plan.nextAllocated(block.index, end); i !== -1; i = plan.nextAllocated(i + 1, end)) yield* zeroBytes(CLUSTER);
  }
}

/** File output in one pass: clusters are allocated as data is found, tables follow the data. */
export function writeQcow2File(disk: DiskStream): PatchedImage {
  const plan = new AllocationPlan(disk.size, CLUSTER);
  let layout: Qcow2Layout | undefined;
  async function* chunks(): AsyncGenerator<Buffer> {
    yield* zeroBytes(CLUSTER); // the header's place, filled in by the patch
    for await (const block of blocks(disk.extents(), disk.size, CLUSTER)) {
      if (block.kind === 'zero') continue;
      for (let i = block.index; i < block.index + block.count; i++) plan.add(i);
      yield block.data;
    }
    layout = planQcow2Layout(plan, true);
    yield* metadata(plan, layout);
  }
  return {
    chunks: chunks(),
    patches() {
      if (layout === undefined) throw new Error('qcow2 writer: patches asked for before the data was written');
      return [{ offset: 0, data: header(layout) }];
    },
  };
}

function header(layout: Qcow2Layout): Buffer {
  const h = Buffer.alloc(CLUSTER);
  h.writeUInt32BE(QCOW2_MAGIC, 0);
  h.writeUInt32BE(3, 4);
  h.writeUInt32BE(CLUSTER_BITS, 20);
  h.writeBigUInt64BE(BigInt(layout.size), 24);
  h.writeUInt32BE(layout.l1Size, 36);
  h.writeBigUInt64BE(BigInt(layout.at.l1 * CLUSTER), 40);
  h.writeBigUInt64BE(BigInt(layout.at.refcountTable * CLUSTER), 48);
  h.writeUInt32BE(layout.refcountTableClusters, 56);
  h.writeUInt32BE(REFCOUNT_ORDER, 96);
  h.writeUInt32BE(V3_HEADER_LENGTH, 100);
  // Header extensions start at header_length; the zero bytes there are the end marker.
  return h;
}

/**
 * The tables, in file order. This runs once per conversion, cold (interpreted), between the last
 * data and the end, so it avoids Buffer's per-field writers: with them the tables of the bench's
 * 2 GiB disk (16384 data clusters) took 12-16 ms, with DataView stores and one fill per
 * refcount block 4 ms (docs/benchmarks.md, "The first and last 30 ms").
 */
function* metadata(plan: AllocationPlan, layout: Qcow2Layout): Generator<Buffer> {
  const table = Buffer.alloc(layout.refcountTableClusters * CLUSTER);
  for (let i = 0; i < layout.refcountBlocks; i++) table.writeBigUInt64BE(BigInt((layout.at.refcountBlocks + i) * CLUSTER), i * 8);
  yield table;

  const l1 = Buffer.alloc(layout.l1Clusters * CLUSTER);
  const l1View = tableView(l1);
  layout.l2Groups.forEach((group, i) => setEntry(l1View, group, layout.at.l2 + i));
  yield l1;

  // Refcount blocks, one at a time: every cluster of the file has refcount 1.
  for (let b = 0; b < layout.refcountBlocks; b++) {
    const block = Buffer.alloc(CLUSTER);
    const used = Math.min(REFCOUNTS_PER_BLOCK, layout.totalClusters - b * REFCOUNTS_PER_BLOCK);
    block.fill(REFCOUNT_ONE, 0, used * 2);
    yield block;
  }

  let dataCluster = layout.at.data;
  for (const group of layout.l2Groups) {
    const l2 = Buffer.alloc(CLUSTER);
    const view = tableView(l2);
    const first = group * L2_ENTRIES;
    const end = Math.min(plan.blockCount, first + L2_ENTRIES);
    for (let i = plan.nextAllocated(first, end); i !== -1; i = plan.nextAllocated(i + 1, end)) setEntry(view, i - first, dataCluster++);
    yield l2;
  }
}

function tableView(table: Buffer): DataView {
  return new DataView(table.buffer, table.byteOffset, table.length);
}

/**
 * A standard L1/L2 entry pointing at host cluster `cluster`: its offset in bits 9-55, COPIED in
 * bit 63. Integer arithmetic on the cluster index, exact while the offset is below 2^63 (qcow2's
 * own limit is 2^56).
 */
function setEntry(view: DataView, index: number, cluster: number): void {
  view.setUint32(index * 8, (COPIED | (cluster / 2 ** (32 - CLUSTER_BITS))) >>> 0);
  view.setUint32(index * 8 + 4, (cluster << CLUSTER_BITS) >>> 0);
}
