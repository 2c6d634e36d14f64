/**
 * VHDX output ([MS-VHDX]), a dynamic disk laid out as
 *   0      file identifier, headers 1/2, region tables 1/2 (first MiB)
 *   1 MiB  log (empty: log GUID zero, so nothing to replay)
 *   2 MiB  metadata region (table + items)
 *   3 MiB  BAT region, whole MiBs
 *   then   payload blocks, in virtual order
 * The BAT sits before the data, so the allocated blocks must be known first: this writer needs
 * a seekable input (planning pass). Blocks without data get PAYLOAD_BLOCK_ZERO, which the
 * specification defines as reading zeros regardless of what the file holds.
 */
import { randomBytes } from 'node:crypto';
import { crc32c } from '../read/crc32c.js';
import type { SeekableDisk } from '../read/disk.js';
import {
  BAT_REGION,
  batEntries,
  batIndex,
  chunkRatio,
  FILE_PARAMETERS,
  guidBytes,
  HEADER_OFFSETS,
  HEADER_SIGNATURE,
  HEADER_SIZE,
  KIB,
  LOGICAL_SECTOR_SIZE,
  META_IS_REQUIRED,
  META_IS_VIRTUAL_DISK,
  METADATA_REGION,
  METADATA_SIGNATURE,
  METADATA_TABLE_SIZE,
  MIB,
  PAGE83_DATA,
  PAYLOAD_FULLY_PRESENT,
  PAYLOAD_ZERO,
  PHYSICAL_SECTOR_SIZE,
  REGION_SIGNATURE,
  REGION_TABLE_OFFSETS,
  REGION_TABLE_SIZE,
  VHDX_SIGNATURE,
  VIRTUAL_DISK_SIZE,
} from '../read/vhdx-layout.js';
import { AllocationPlan } from './allocation-plan.js';
import { blocks } from './blocks.js';
import { zeroBytes, type EncodedImage } from './encoded-image.js';

/** Small blocks keep partly used regions sparse; 2 MiB matches the VHD writer. */
const BLOCK = 2 * MIB;
const LOGICAL_SECTOR = 512;
const PHYSICAL_SECTOR = 4096;
const LOG_OFFSET = 1 * MIB;
const LOG_LENGTH = 1 * MIB;
const METADATA_OFFSET = 2 * MIB;
const METADATA_LENGTH = 1 * MIB;
const BAT_OFFSET = 3 * MIB;

export async function writeVhdx(disk: SeekableDisk): Promise<EncodedImage> {
  const size = Math.ceil(disk.size / LOGICAL_SECTOR) * LOGICAL_SECTOR;
  const plan = await AllocationPlan.fromMap(disk.map(), size, BLOCK);
  const ratio = chunkRatio(BLOCK, LOGICAL_SECTOR);
  const batLength = Math.max(MIB, Math.ceil((batEntries(plan.blockCount, ratio) * 8) / MIB) * MIB);
  const firstBlock = BAT_OFFSET + batLength;
  return { length: firstBlock + plan.allocated * BLOCK, chunks: vhdxChunks(disk, plan, size, ratio, batLength, firstBlock) };
}

async function* vhdxChunks(disk: SeekableDisk, plan: AllocationPlan, size: number, ratio: number, batLength: number, firstBlock: number): AsyncGenerator<Buffer> {
  const head = Buffer.alloc(LOG_OFFSET);
  head.write(VHDX_SIGNATURE, 0, 'latin1');
  head.write('Imago', 8, 'utf16le'); // creator, informational
  const fileWrite = randomBytes(16);
  const dataWrite = randomBytes(16);
  HEADER_OFFSETS.forEach((offset, i) => header(fileWrite, dataWrite, BigInt(i)).copy(head, offset));
  const regions = regionTable(batLength);
  for (const offset of REGION_TABLE_OFFSETS) regions.copy(head, offset);
  yield head;
  yield* zeroBytes(LOG_LENGTH);
  yield metadataRegion(size);

  const bat = Buffer.alloc(batLength);
  let next = firstBlock;
  for (let i = 0; i < plan.blockCount; i++) {
    const at = batIndex(i, ratio) * 8;
    if (!plan.has(i)) {
      bat.writeUInt32LE(PAYLOAD_ZERO, at);
      continue;
    }
    // FileOffsetMB in bits 20-63, state in bits 0-2.
    const mb = next / MIB;
    bat.writeUInt32LE((((mb % 2 ** 12) << 20) | PAYLOAD_FULLY_PRESENT) >>> 0, at);
    bat.writeUInt32LE(Math.floor(mb / 2 ** 12), at + 4);
    next += BLOCK;
  }
  yield bat;

  for await (const block of blocks(disk.extents(), disk.size, BLOCK)) {
    if (block.kind === 'data') {
      for (let i = block.index; i < block.index + block.count; i++) {
        if (!plan.has(i)) throw new Error(`vhdx writer: block ${i} has data the planning pass did not see`);
      }
      yield block.data;
      continue;
    }
    const end = block.index + block.count;
    for (let i = plan.nextAllocated(block.index, end); i !== -1; i = plan.nextAllocated(i + 1, end)) yield* zeroBytes(BLOCK);
  }
}

function header(fileWrite: Buffer, dataWrite: Buffer, sequence: bigint): Buffer {
  const h = Buffer.alloc(HEADER_SIZE);
  h.write(HEADER_SIGNATURE, 0, 'latin1');
  h.writeBigUInt64LE(sequence, 8);
  fileWrite.copy(h, 16);
  dataWrite.copy(h, 32);
  // Log GUID (48..63) stays zero: there is nothing to replay.
  h.writeUInt16LE(0, 64); // log version
  h.writeUInt16LE(1, 66); // version
  h.writeUInt32LE(LOG_LENGTH, 68);
  h.writeBigUInt64LE(BigInt(LOG_OFFSET), 72);
  h.writeUInt32LE(crc32c(h), 4);
  return h;
}

function regionTable(batLength: number): Buffer {
  const t = Buffer.alloc(REGION_TABLE_SIZE);
  t.write(REGION_SIGNATURE, 0, 'latin1');
  t.writeUInt32LE(2, 8);
  const entry = (i: number, guid: string, offset: number, length: number): void => {
    const at = 16 + i * 32;
    guidBytes(guid).copy(t, at);
    t.writeBigUInt64LE(BigInt(offset), at + 16);
    t.writeUInt32LE(length, at + 24);
    t.writeUInt32LE(1, at + 28); // required
  };
  entry(0, BAT_REGION, BAT_OFFSET, batLength);
  entry(1, METADATA_REGION, METADATA_OFFSET, METADATA_LENGTH);
  t.writeUInt32LE(crc32c(t), 4);
  return t;
}

function metadataRegion(size: number): Buffer {
  const region = Buffer.alloc(METADATA_LENGTH);
  region.write(METADATA_SIGNATURE, 0, 'latin1');
  const items: [string, Buffer, number][] = [
    [FILE_PARAMETERS, u32Pair(BLOCK, 0), META_IS_REQUIRED],
    [VIRTUAL_DISK_SIZE, u64(size), META_IS_VIRTUAL_DISK | META_IS_REQUIRED],
    [PAGE83_DATA, randomBytes(16), META_IS_VIRTUAL_DISK | META_IS_REQUIRED],
    [LOGICAL_SECTOR_SIZE, u32Pair(LOGICAL_SECTOR).subarray(0, 4), META_IS_VIRTUAL_DISK | META_IS_REQUIRED],
    [PHYSICAL_SECTOR_SIZE, u32Pair(PHYSICAL_SECTOR).subarray(0, 4), META_IS_VIRTUAL_DISK | META_IS_REQUIRED],
  ];
  region.writeUInt16LE(items.length, 10);
  // Items follow the 64 KiB table, each on its own 4 KiB boundary for tidiness.
  items.forEach(([guid, value, flags], i) => {
    const at = 32 + i * 32;
    const offset = METADATA_TABLE_SIZE + i * 4 * KIB;
    guidBytes(guid).copy(region, at);
    region.writeUInt32LE(offset, at + 16);
    region.writeUInt32LE(value.length, at + 20);
    region.writeUInt32LE(flags, at + 24);
    value.copy(region, offset);
  });
  return region;
}

function u32Pair(a: number, b = 0): Buffer {
  const buf = Buffer.alloc(8);
  buf.writeUInt32LE(a, 0);
  buf.writeUInt32LE(b, 4);
  return buf;
}

function u64(value: number): Buffer {
  const buf = Buffer.alloc(8);
  buf.writeBigUInt64LE(BigInt(value));
  return buf;
}
