/**
 * VirtualBox VDI (qemu block/vdi.c VdiHeader; signature 0xbeda107f at 0x40, little-endian).
 * Only dynamic and static images of header version 1.1 are accepted, with qemu's geometry
 * limits; undo/differencing images and any link or parent UUID are refused as backing files.
 */
import { isZero, need, u64, within } from './bytes.js';
import { fileSize, matched, read, refuse, scan } from './task.js';
import type { Accept, InspectContext, Inspector, Task } from './task.js';

const SIGNATURE = 0xbeda107f;
const DYNAMIC = 1;
const STATIC = 2;
const BLOCK_SIZE = 1 << 20;
/** qemu VDI_BLOCKS_IN_IMAGE_MAX and VDI_DISK_SIZE_MAX. */
const BLOCKS_MAX = 0x3fffffff;
const DISK_SIZE_MAX = 0x1fffff8000000n;
const UNALLOCATED = 0xfffffffe; // 0xfffffffe: zero block, 0xffffffff: free

function* inspectVdi(ctx: InspectContext): Task<Accept | null> {
  const h = yield* read(0, 512);
  if (h.length < 0x44 || h.readUInt32LE(0x40) !== SIGNATURE) return null;
  yield* matched('vdi');
  need(h, 0x1c8, 'VDI header');
  const version = h.readUInt32LE(0x44);
  if (version !== 0x00010001) refuse('invalid_header', `VDI header version 0x${version.toString(16)} is not 1.1`);
  const type = h.readUInt32LE(0x4c);
  if (type === 3 || type === 4 || !isZero(h.subarray(0x1a8, 0x1c8))) {
    refuse('backing_file', 'the VDI is an undo/differencing image or names a linked or parent image');
  }
  if (type !== DYNAMIC && type !== STATIC) refuse('invalid_header', `unknown VDI image type ${type}`);
  const bmapOffset = h.readUInt32LE(0x154);
  const dataOffset = h.readUInt32LE(0x158);
  const sectorSize = h.readUInt32LE(0x168);
  const diskSize = u64(h, 0x170, true);
  const blockSize = h.readUInt32LE(0x178);
  const blockExtra = h.readUInt32LE(0x17c);
  const blocks = h.readUInt32LE(0x180);
  const allocated = h.readUInt32LE(0x184);
  if (diskSize > BigInt(ctx.maxVirtualSize)) {
    refuse('virtual_size_too_large', `the virtual size ${diskSize} bytes is above the limit of ${ctx.maxVirtualSize} bytes`);
  }
  if (bmapOffset % 512 !== 0 || dataOffset % 512 !== 0 || bmapOffset < 512) refuse('invalid_header', 'unaligned VDI block map or data offset');
  if (sectorSize !== 512 || blockSize !== BLOCK_SIZE || blockExtra !== 0) refuse('invalid_header', 'unsupported VDI sector or block size');
  if (blocks > BLOCKS_MAX || diskSize > DISK_SIZE_MAX || diskSize > BigInt(blocks) * BigInt(blockSize)) {
    refuse('invalid_header', 'the VDI disk size does not fit its block map');
  }
  if (allocated > blocks) refuse('invalid_header', 'more VDI blocks allocated than exist');
  if (bmapOffset + blocks * 4 > dataOffset) refuse('invalid_header', 'the VDI block map overlaps the data');

  // Only the entries that map the disk are read (at most 4 MiB for 1 TiB); the rest of a
  // larger declared map is only bounds-checked.
  let maxIndex = -1;
  const mapped = Number((diskSize + BigInt(blockSize) - 1n) / BigInt(blockSize));
  yield* scan(bmapOffset, mapped * 4, 4, (rec) => {
    for (let i = 0; i < rec.length; i += 4) {
      const b = rec.readUInt32LE(i);
      if (b >= UNALLOCATED) continue;
      if (b >= allocated) refuse('invalid_header', `a VDI block map entry (${b}) is beyond the ${allocated} allocated blocks`);
      maxIndex = Math.max(maxIndex, b);
    }
  });
  const size = yield* fileSize();
  within(size, bmapOffset, blocks * 4, 'VDI block map');
  if (maxIndex >= 0) within(size, dataOffset, (maxIndex + 1) * blockSize, 'VDI data blocks');
  return { virtualSize: Number(diskSize), details: { subformat: type === STATIC ? 'static' : 'dynamic' } };
}

export const vdiInspector: Inspector = { name: 'vdi', run: inspectVdi };
