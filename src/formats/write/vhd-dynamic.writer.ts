/**
 * Dynamic VHD, laid out as
 *   footer copy | dynamic header | BAT | blocks (sector bitmap + 2 MiB data) ... | footer
 * The BAT precedes the blocks, so for a stream which blocks hold data must be known first: that
 * writer needs a seekable input (planning pass). For a file, the BAT's size is known up front, so
 * one pass writes the blocks as they are found and the BAT is written over its place at the end.
 * Allocated blocks are written whole with every bitmap bit set; blocks with no data stay out of
 * the file (BAT entry 0xFFFFFFFF).
 */
import type { DiskStream, SeekableDisk } from '../read/disk.js';
import { VHD_DYNAMIC_HEADER_SIZE, VHD_FOOTER_SIZE, VHD_TYPE_DYNAMIC, vhdBitmapBytes } from '../read/vhd-footer.js';
import { AllocationPlan } from './allocation-plan.js';
import { blockOf, blocks } from './blocks.js';
import { zeroBytes, type EncodedImage, type PatchedImage } from './encoded-image.js';
import { vhdDynamicHeader, vhdFooter, vhdSize, type VhdSizeOptions } from './vhd-footer.js';

/** The spec's default block size and what Hyper-V and qemu write. */
const BLOCK = 2 * 1024 * 1024;
const BITMAP = vhdBitmapBytes(BLOCK);
/** Every sector of a written block is present. */
const BITMAP_ALL_SET = Buffer.alloc(BITMAP, 0xff);

/** Where the tables and the first block go; fixed by the block count alone. */
function vhdLayout(size: number) {
  const blockCount = Math.ceil(size / BLOCK);
  const tableOffset = VHD_FOOTER_SIZE + VHD_DYNAMIC_HEADER_SIZE;
  const batBytes = Math.ceil((blockCount * 4) / 512) * 512;
  const footer = vhdFooter({ size, diskType: VHD_TYPE_DYNAMIC, dataOffset: VHD_FOOTER_SIZE });
  const header = vhdDynamicHeader({ tableOffset, maxTableEntries: blockCount, blockSize: BLOCK });
  // 0xff bytes: every entry (and the padding) starts as VHD_BAT_UNUSED.
  return { tableOffset, firstBlock: tableOffset + batBytes, footer, header, bat: Buffer.alloc(batBytes, 0xff) };
}

export async function writeVhdDynamic(disk: SeekableDisk, options: VhdSizeOptions = {}): Promise<EncodedImage> {
  const size = vhdSize(disk.size, options);
  const plan = await AllocationPlan.fromMap(disk.map(), size, BLOCK);
  const layout = vhdLayout(size);
  const length = layout.firstBlock + plan.allocated * (BITMAP + BLOCK) + VHD_FOOTER_SIZE;
  return { length, chunks: dynamicChunks(disk, plan, layout) };
}

/** File output in one pass: blocks are allocated as data is found, the BAT is patched in last. */
export function writeVhdDynamicFile(disk: DiskStream, options: VhdSizeOptions = {}): PatchedImage {
  const layout = vhdLayout(vhdSize(disk.size, options));
  const { bat } = layout;
  async function* chunks(): AsyncGenerator<Buffer> {
    yield layout.footer;
    yield layout.header;
    yield* zeroBytes(bat.length); // the BAT's place
    let next = layout.firstBlock;
    for await (const block of blocks(disk.extents(), disk.size, BLOCK)) {
      if (block.kind === 'zero') continue;
      for (let k = 0; k < block.count; k++) {
        bat.writeUInt32BE(next / 512, (block.index + k) * 4);
        next += BITMAP + BLOCK;
        yield BITMAP_ALL_SET;
        yield blockOf(block, k, BLOCK);
      }
    }
    yield layout.footer;
  }
  return { chunks: chunks(), patches: () => [{ offset: layout.tableOffset, data: bat }] };
}

async function* dynamicChunks(disk: SeekableDisk, plan: AllocationPlan, layout: ReturnType<typeof vhdLayout>): AsyncGenerator<Buffer> {
  const { bat, footer } = layout;
  yield footer;
  yield layout.header;
  let next = layout.firstBlock;
  for (let i = plan.nextAllocated(0, plan.blockCount); i !== -1; i = plan.nextAllocated(i + 1, plan.blockCount)) {
    bat.writeUInt32BE(next / 512, i * 4);
    next += BITMAP + BLOCK;
  }
  yield bat;

  for await (const block of blocks(disk.extents(), disk.size, BLOCK)) {
    if (block.kind === 'data') {
      for (let k = 0; k < block.count; k++) {
        if (!plan.has(block.index + k)) throw new Error(`vhd writer: block ${block.index + k} has data the planning pass did not see`);
        yield BITMAP_ALL_SET;
        yield blockOf(block, k, BLOCK);
      }
      continue;
    }
    const end = block.index + block.count;
    for (let i = plan.nextAllocated(block.index, end); i !== -1; i = plan.nextAllocated(i + 1, end)) {
      yield BITMAP_ALL_SET;
      yield* zeroBytes(BLOCK);
    }
  }
  yield footer;
}
