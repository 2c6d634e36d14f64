/**
 * Regroups a reader's extents into the writer's unit (qcow2 cluster, VMDK grain, VHD/VHDX
 * block). A block that received any data comes out as a full-size buffer (zero-filled where
 * the extents said zero, and past the end of the disk); consecutive zero blocks come out as
 * one run, so a sparse terabyte costs a handful of iterations. A data extent that covers a
 * whole aligned block is passed through without copying.
 */
import type { Extent } from '../read/disk.js';

export type Block =
  | { readonly kind: 'data'; readonly index: number; readonly data: Buffer }
  | { readonly kind: 'zero'; readonly index: number; readonly count: number };

export async function* blocks(extents: AsyncIterable<Extent>, size: number, blockSize: number): AsyncGenerator<Block> {
  const total = Math.ceil(size / blockSize);
  let expected = 0;
  let open = 0;
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
  /** Closes the open block and opens `next` (blocks in between are zero). */
  const advance = (next: number): void => {
    if (openData !== undefined) {
      if (runCount > 0) out.push({ kind: 'zero', index: runStart, count: runCount });
      runCount = 0;
      out.push({ kind: 'data', index: open, data: openData });
      openData = undefined;
      zeros(open + 1, next - open - 1);
    } else {
      zeros(open, next - open);
    }
    open = next;
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
      const pieceEnd = Math.min(end, blockStart + blockSize);
      const from = pos - extent.offset;
      if (openData === undefined && pos === blockStart && pieceEnd - pos === blockSize) {
        openData = extent.data.subarray(from, from + blockSize);
      } else {
        openData ??= Buffer.alloc(blockSize);
        extent.data.copy(openData, pos - blockStart, from, from + (pieceEnd - pos));
      }
      pos = pieceEnd;
    }
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
