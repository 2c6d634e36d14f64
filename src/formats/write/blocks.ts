/**
 * Regroups a reader's extents into the writer's unit (qcow2 cluster, VMDK grain, VHD/VHDX
 * block). Data comes out as runs of whole blocks: `count` consecutive blocks in one buffer of
 * `count * blockSize` bytes (zero-filled where the extents said zero, and past the end of the
 * disk). A data extent that covers whole aligned blocks is passed through as one run without
 * copying, so a reader's 4 MiB read costs the writer one step, not one per cluster; consecutive
 * zero blocks come out as one run, so a sparse terabyte costs a handful of iterations.
 */
import type { Extent } from '../read/disk.js';

export type Block =
  | { readonly kind: 'data'; readonly index: number; readonly count: number; readonly data: Buffer }
  | { readonly kind: 'zero'; readonly index: number; readonly count: number };

export async function* blocks(extents: AsyncIterable<Extent>, size: number, blockSize: number): AsyncGenerator<Block> {
  const total = Math.ceil(size / blockSize);
  let expected = 0;
  // The open item: blocks [open, open + openCount), with data when any extent put bytes there.
  let open = 0;
  let openCount = 1;
  let openData: Buffer | undefined;
  let runStart = 0;
  let runCount = 0;
  const out: Block[] = [];

  const zeros = (index: number, count: number): void => {
    if (count <= 0) return;
    if (runCount > 0 && runStart + runCount === index) {
      runCount += count;
      return;
    }
    if (runCount > 0) out.push({ kind: 'zero', index: runStart, count: runCount });
    runStart = index;
    runCount = count;
  };
  /** Closes the open item and opens block `next` (blocks in between are zero). */
  const advance = (next: number): void => {
    if (openData !== undefined) {
      if (runCount > 0) out.push({ kind: 'zero', index: runStart, count: runCount });
      runCount = 0;
      out.push({ kind: 'data', index: open, count: openCount, data: openData });
      openData = undefined;
      zeros(open + openCount, next - open - openCount);
    } else {
      zeros(open, next - open);
    }
    open = next;
    openCount = 1;
  };

  for await (const extent of extents) {
    if (extent.offset !== expected || extent.offset + extent.length > size) {
      throw new Error(`extents out of order: got ${extent.offset}+${extent.length}, expected ${expected} within ${size}`);
    }
    expected += extent.length;
    let pos = extent.offset;
    const end = extent.offset + extent.length;
    while (pos < end) {
      const index = Math.floor(pos / blockSize);
      if (index !== open) advance(index);
      const blockStart = index * blockSize;
      if (extent.kind === 'zero') {
        // Jump over whole zero blocks in one step.
        const lastIndex = Math.floor((end - 1) / blockSize);
        if (lastIndex > index) advance(lastIndex);
        pos = end;
        continue;
      }
      const from = pos - extent.offset;
      const whole = Math.floor((end - pos) / blockSize);
      if (openData === undefined && pos === blockStart && whole > 0) {
        openData = extent.data.subarray(from, from + whole * blockSize);
        openCount = whole;
        pos += whole * blockSize;
        continue;
      }
      const pieceEnd = Math.min(end, blockStart + blockSize);
      openData ??= Buffer.alloc(blockSize);
      extent.data.copy(openData, pos - blockStart, from, from + (pieceEnd - pos));
      pos = pieceEnd;
    }
    // Data that ends on a block boundary is complete: out with it now, not when the next extent
    // arrives. A reader that reports a run of zeros only with the data after it (the raw scan
    // thread) would otherwise hold the end of every data run for a whole zero run.
    if (openData !== undefined && end % blockSize === 0) advance(end / blockSize);
    if (out.length > 0) {
      yield* out;
      out.length = 0;
    }
  }
  if (expected !== size) throw new Error(`extents end at ${expected}, before the disk size ${size}`);
  if (total > 0) advance(total);
  if (runCount > 0) out.push({ kind: 'zero', index: runStart, count: runCount });
  yield* out;
}

/** Block `k` of a data run, as a view. */
export function blockOf(block: Extract<Block, { kind: 'data' }>, k: number, blockSize: number): Buffer {
  return block.data.subarray(k * blockSize, (k + 1) * blockSize);
}
