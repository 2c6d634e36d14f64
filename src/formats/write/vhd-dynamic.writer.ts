/**
 * Dynamic VHD, laid out as
 *   footer copy | dynamic header | BAT | blocks (sector bitmap + 2 MiB data) ... | footer
 * The BAT precedes the blocks, so which blocks hold data must be known first: this writer
 * needs a seekable input (planning pass). Allocated blocks are written whole with every bitmap
 * bit set; blocks with no data stay out of the file (BAT entry 0xFFFFFFFF).
 */
import type { SeekableDisk } from '../read/disk.js';
import { VHD_DYNAMIC_HEADER_SIZE, VHD_FOOTER_SIZE, VHD_TYPE_DYNAMIC, vhdBitmapBytes } from '../read/vhd-footer.js';
import { AllocationPlan } from './allocation-plan.js';
import { blocks } from './blocks.js';
import { zeroBytes, type EncodedImage } from './encoded-image.js';
import { vhdDynamicHeader, vhdFooter, vhdSize, type VhdSizeOptions } from './vhd-footer.js';

/** The spec's default block size and what Hyper-V and qemu write. */
const BLOCK = 2 * 1024 * 1024;
const BITMAP = vhdBitmapBytes(BLOCK);

export async function writeVhdDynamic(disk: SeekableDisk, options: VhdSizeOptions = {}): Promise<EncodedImage> {
  const size = vhdSize(disk.size, options);
  const plan = await AllocationPlan.fromMap(disk.map(), size, BLOCK);
  const tableOffset = VHD_FOOTER_SIZE + VHD_DYNAMIC_HEADER_SIZE;
  const batBytes = Math.ceil((plan.blockCount * 4) / 512) * 512;
  const firstBlock = tableOffset + batBytes;
  const length = firstBlock + plan.allocated * (BITMAP + BLOCK) + VHD_FOOTER_SIZE;
  return { length, chunks: dynamicChunks(disk, plan, size, tableOffset, batBytes, firstBlock) };
}

async function* dynamicChunks(disk: SeekableDisk, plan: AllocationPlan, size: number, tableOffset: number, batBytes: number, firstBlock: number): AsyncGenerator<Buffer> {
  const footer = vhdFooter({ size, diskType: VHD_TYPE_DYNAMIC, dataOffset: VHD_FOOTER_SIZE });
  yield footer;
  yield vhdDynamicHeader({ tableOffset, maxTableEntries: plan.blockCount, blockSize: BLOCK });

  // 0xff bytes: every entry (and the padding) starts as VHD_BAT_UNUSED.
  const bat = Buffer.alloc(batBytes, 0xff);
  let next = firstBlock;
  for (let i = plan.nextAllocated(0, plan.blockCount); i !== -1; i = plan.nextAllocated(i + 1, plan.blockCount)) {
    bat.writeUInt32BE(next / 512, i * 4);
    next += BITMAP + BLOCK;
  }
  yield bat;

  const bitmap = Buffer.alloc(BITMAP, 0xff);
  for await (const block of blocks(disk.extents(), disk.size, BLOCK)) {
    if (block.kind === 'data') {
      if (!plan.has(block.index)) throw new Error(`vhd writer: block ${block.index} has data the planning pass did not see`);
      yield bitmap;
      yield block.data;
      continue;
    }
    const end = block.index + block.count;
    for (let i = plan.nextAllocated(block.index, end); i !== -1; i = plan.nextAllocated(i + 1, end)) {
      yield bitmap;
      yield* zeroBytes(BLOCK);
    }
  }
  yield footer;
}
