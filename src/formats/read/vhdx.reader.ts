/**
 * VHDX reader ([MS-VHDX]). Picks the current header (valid CRC, highest sequence number), finds
 * the BAT and metadata regions through the region table, reads block size, virtual size and
 * sector size from the metadata, then maps payload blocks through the BAT. Images that need
 * log replay or have a parent are refused, as are required regions or metadata it does not know.
 */
import { InvalidImageDataError } from '../../domain/errors.js';
import { blockTableDisk } from './block-table.reader.js';
import { crc32cWithHole } from './crc32c.js';
import type { SeekableDisk } from './disk.js';
import { readExact, safeU64, type RandomAccessSource } from './source.js';
import {
  BAT_REGION,
  batEntries,
  batIndex,
  chunkRatio,
  FILE_PARAMETERS,
  guidString,
  HAS_PARENT,
  HEADER_OFFSETS,
  HEADER_SIGNATURE,
  HEADER_SIZE,
  LOGICAL_SECTOR_SIZE,
  META_IS_REQUIRED,
  METADATA_REGION,
  METADATA_SIGNATURE,
  METADATA_TABLE_SIZE,
  MIB,
  PAGE83_DATA,
  PAYLOAD_FULLY_PRESENT,
  PAYLOAD_NOT_PRESENT,
  PAYLOAD_PARTIALLY_PRESENT,
  PAYLOAD_UNDEFINED,
  PAYLOAD_UNMAPPED,
  PAYLOAD_ZERO,
  PHYSICAL_SECTOR_SIZE,
  REGION_SIGNATURE,
  REGION_TABLE_OFFSETS,
  REGION_TABLE_SIZE,
  VHDX_SIGNATURE,
  VIRTUAL_DISK_SIZE,
} from './vhdx-layout.js';

const KNOWN_METADATA = new Set([FILE_PARAMETERS, VIRTUAL_DISK_SIZE, PAGE83_DATA, LOGICAL_SECTOR_SIZE, PHYSICAL_SECTOR_SIZE]);
/** [MS-VHDX] limits: 64 TiB virtual size, blocks of 1 MiB to 256 MiB. */
const MAX_SIZE = 64 * 1024 * MIB * 1024;

function bad(message: string, reason = 'format.vhdx.invalid_header'): never {
  throw new InvalidImageDataError(`vhdx: ${message}`, { reason });
}

export async function vhdxDisk(source: RandomAccessSource): Promise<SeekableDisk> {
  const id = await readExact(source, 0, 8, 'vhdx file identifier', 'format.vhdx.truncated');
  if (id.toString('latin1') !== VHDX_SIGNATURE) bad('no file type identifier');
  await currentHeader(source);
  const regions = await regionTable(source);
  const bat = regions.get(BAT_REGION) ?? bad('no BAT region');
  const metadataRegion = regions.get(METADATA_REGION) ?? bad('no metadata region');
  const meta = await metadata(source, metadataRegion);

  const ratio = chunkRatio(meta.blockSize, meta.logicalSectorSize);
  const payloadBlocks = Math.ceil(meta.size / meta.blockSize);
  const entries = batEntries(payloadBlocks, ratio);
  if (entries * 8 > bat.length) bad('the BAT region is too small for the disk size');
  const table = await readExact(source, bat.offset, entries * 8, 'vhdx BAT', 'format.vhdx.truncated');

  return blockTableDisk(source, {
    format: 'vhdx',
    size: meta.size,
    blockSize: meta.blockSize,
    hostOffset(index) {
      const at = batIndex(index, ratio) * 8;
      const lo = table.readUInt32LE(at);
      const state = lo & 7;
      switch (state) {
        case PAYLOAD_NOT_PRESENT:
        case PAYLOAD_UNDEFINED:
        case PAYLOAD_ZERO:
        case PAYLOAD_UNMAPPED:
          return undefined;
        case PAYLOAD_FULLY_PRESENT:
          // FileOffsetMB is bits 20-63 of the entry.
          return (table.readUInt32LE(at + 4) * 2 ** 12 + (lo >>> 20)) * MIB;
        case PAYLOAD_PARTIALLY_PRESENT:
          return bad('partially present blocks belong to differencing disks', 'format.backing_file');
        default:
          return bad(`BAT entry ${index} has invalid state ${state}`, 'format.vhdx.invalid_table');
      }
    },
  });
}

async function currentHeader(source: RandomAccessSource): Promise<Buffer> {
  let best: { sequence: bigint; header: Buffer } | undefined;
  for (const offset of HEADER_OFFSETS) {
    const header = await readExact(source, offset, HEADER_SIZE, 'vhdx header', 'format.vhdx.truncated');
    if (header.toString('latin1', 0, 4) !== HEADER_SIGNATURE || crc32cWithHole(header, 4) !== header.readUInt32LE(4)) continue;
    const sequence = header.readBigUInt64LE(8);
    if (best === undefined || sequence > best.sequence) best = { sequence, header };
  }
  if (best === undefined) bad('no valid header');
  if (!best.header.subarray(48, 64).equals(Buffer.alloc(16))) bad('the log must be replayed first', 'format.vhdx.log');
  if (best.header.readUInt16LE(66) !== 1) bad(`unsupported version ${best.header.readUInt16LE(66)}`);
  return best.header;
}

async function regionTable(source: RandomAccessSource): Promise<Map<string, { offset: number; length: number }>> {
  for (const offset of REGION_TABLE_OFFSETS) {
    const table = await readExact(source, offset, REGION_TABLE_SIZE, 'vhdx region table', 'format.vhdx.truncated');
    if (table.toString('latin1', 0, 4) !== REGION_SIGNATURE || crc32cWithHole(table, 4) !== table.readUInt32LE(4)) continue;
    const count = table.readUInt32LE(8);
    if (count > 2047) bad('too many regions');
    const regions = new Map<string, { offset: number; length: number }>();
    for (let i = 0; i < count; i++) {
      const at = 16 + i * 32;
      const guid = guidString(table.subarray(at, at + 16));
      const regionOffset = safeU64(table.readBigUInt64LE(at + 16), 'vhdx region offset', 'format.vhdx.invalid_header');
      const length = table.readUInt32LE(at + 24);
      const required = (table.readUInt32LE(at + 28) & 1) !== 0;
      if (guid !== BAT_REGION && guid !== METADATA_REGION) {
        if (required) bad(`unknown required region ${guid}`);
        continue;
      }
      if (regionOffset % MIB !== 0 || regionOffset + length > source.size) bad(`region ${guid} is misplaced`);
      regions.set(guid, { offset: regionOffset, length });
    }
    return regions;
  }
  return bad('no valid region table');
}

async function metadata(source: RandomAccessSource, region: { offset: number; length: number }) {
  if (region.length < METADATA_TABLE_SIZE) bad('the metadata region is too small');
  const table = await readExact(source, region.offset, METADATA_TABLE_SIZE, 'vhdx metadata table', 'format.vhdx.truncated');
  if (table.toString('latin1', 0, 8) !== METADATA_SIGNATURE) bad('no metadata table');
  const count = table.readUInt16LE(10);
  if (count > 2047) bad('too many metadata entries');
  const items = new Map<string, Buffer>();
  for (let i = 0; i < count; i++) {
    const at = 32 + i * 32;
    const guid = guidString(table.subarray(at, at + 16));
    const offset = table.readUInt32LE(at + 16);
    const length = table.readUInt32LE(at + 20);
    const required = (table.readUInt32LE(at + 24) & META_IS_REQUIRED) !== 0;
    if (!KNOWN_METADATA.has(guid)) {
      // The parent locator is the usual one; any required item we do not know changes meaning.
      if (required) bad(`unknown required metadata ${guid}`, 'format.backing_file');
      continue;
    }
    if (offset < METADATA_TABLE_SIZE || length > 1024 || offset + length > region.length) bad(`metadata item ${guid} is misplaced`);
    items.set(guid, await readExact(source, region.offset + offset, length, 'vhdx metadata item', 'format.vhdx.truncated'));
  }
  const item = (guid: string, length: number, what: string): Buffer => {
    const value = items.get(guid);
    if (value === undefined || value.length < length) bad(`missing ${what}`);
    return value;
  };
  const fileParameters = item(FILE_PARAMETERS, 8, 'file parameters');
  const blockSize = fileParameters.readUInt32LE(0);
  if ((fileParameters.readUInt32LE(4) & HAS_PARENT) !== 0) bad('differencing disks name a parent', 'format.backing_file');
  if (blockSize < MIB || blockSize > 256 * MIB || (blockSize & (blockSize - 1)) !== 0) bad(`block size ${blockSize} is invalid`);
  const logicalSectorSize = item(LOGICAL_SECTOR_SIZE, 4, 'logical sector size').readUInt32LE(0);
  if (logicalSectorSize !== 512 && logicalSectorSize !== 4096) bad(`logical sector size ${logicalSectorSize} is invalid`);
  const size = safeU64(item(VIRTUAL_DISK_SIZE, 8, 'virtual disk size').readBigUInt64LE(0), 'vhdx virtual size', 'format.vhdx.invalid_header');
  if (size > MAX_SIZE || size % logicalSectorSize !== 0) bad(`virtual size ${size} is invalid`);
  return { blockSize, logicalSectorSize, size };
}
