/**
 * VHDX ([MS-VHDX] §2.2; qemu block/vhdx.c, vhdx-log.c).
 *
 * Headers and region tables are CRC-32C checked; the current header is the valid one with the
 * higher sequence number. A log that needs replay is refused (replay writes arbitrary data at
 * arbitrary offsets of the file). Differencing disks are refused: the HasParent flag or a parent
 * locator item (§2.6.2.6) names another file. Unknown required regions or metadata items are
 * refused as the spec demands (§2.2.3.2, §2.6.1.2).
 */
import { crc32c, crcWithHole, guidString, isPowerOfTwo, isZero, need, off64, quote, startsWith, u64, within } from './bytes.js';
import { all, fileSize, matched, read, refuse, scan } from './task.js';
import type { Accept, InspectContext, Inspector, Task } from './task.js';
import * as layout from '../read/vhdx-layout.js';

const { KIB: KiB, MIB: MiB } = layout;

/** The on-disk bytes of a GUID, as hex: the form table entries are compared in. */
const guid = (text: string): string => layout.guidBytes(text).toString('hex');
const BAT_REGION = guid(layout.BAT_REGION);
const METADATA_REGION = guid(layout.METADATA_REGION);
const FILE_PARAMETERS = guid(layout.FILE_PARAMETERS);
const VIRTUAL_DISK_SIZE = guid(layout.VIRTUAL_DISK_SIZE);
const PAGE83 = guid(layout.PAGE83_DATA);
const LOGICAL_SECTOR = guid(layout.LOGICAL_SECTOR_SIZE);
const PHYSICAL_SECTOR = guid(layout.PHYSICAL_SECTOR_SIZE);
const PARENT_LOCATOR = guid(layout.PARENT_LOCATOR);
const ITEM_READ: Readonly<Record<string, number>> = {
  [FILE_PARAMETERS]: 8, [VIRTUAL_DISK_SIZE]: 8, [PAGE83]: 16, [LOGICAL_SECTOR]: 4, [PHYSICAL_SECTOR]: 4, [PARENT_LOCATOR]: 64 * KiB,
};
const MAX_VIRTUAL_DISK = 64 * 2 ** 40;
/** BAT bytes scanned at most: 2 TiB of 1 MiB blocks; the rest of a larger table is not read. */
const BAT_SCAN_CAP = 16 * MiB;

interface Region { offset: number; length: number }

function currentHeader(h1: Buffer, h2: Buffer): Buffer {
  const valid = [h1, h2].filter((h) => startsWith(h, 0, 'head') && crcWithHole(crc32c, h, 4) === h.readUInt32LE(4));
  if (valid.length === 0) refuse('invalid_header', 'neither VHDX header is valid');
  if (valid.length === 1) return valid[0]!;
  const s1 = u64(h1, 8, true);
  const s2 = u64(h2, 8, true);
  if (s1 === s2) refuse('invalid_header', 'both VHDX headers have the same sequence number');
  return s1 > s2 ? h1 : h2;
}

function regionTable(rt: Buffer): { bat: Region; metadata: Region } {
  if (!startsWith(rt, 0, 'regi') || crcWithHole(crc32c, rt, 4) !== rt.readUInt32LE(4)) refuse('invalid_header', 'the VHDX region table is invalid');
  const count = rt.readUInt32LE(8);
  if (count > 2047) refuse('invalid_header', `the VHDX region table has ${count} entries`);
  const found = new Map<string, Region>();
  for (let i = 0; i < count; i++) {
    const e = rt.subarray(16 + 32 * i, 48 + 32 * i);
    const id = e.subarray(0, 16).toString('hex');
    const region = { offset: off64(e, 16, true), length: e.readUInt32LE(24) };
    if (id !== BAT_REGION && id !== METADATA_REGION) {
      if (e.readUInt32LE(28) & 1) refuse('unknown_feature', `unknown required VHDX region ${guidString(e)}`);
      continue;
    }
    if (found.has(id)) refuse('invalid_header', 'a VHDX region is listed twice');
    if (region.offset % MiB !== 0 || region.offset < MiB || region.length % MiB !== 0 || region.length === 0) {
      refuse('invalid_header', `VHDX region at ${region.offset} (${region.length} bytes) is not 1 MiB aligned`);
    }
    found.set(id, region);
  }
  const bat = found.get(BAT_REGION);
  const metadata = found.get(METADATA_REGION);
  if (!bat || !metadata) refuse('invalid_header', 'the VHDX lacks its BAT or metadata region');
  return { bat, metadata };
}

function overlaps(a: Region, b: Region): boolean {
  return a.offset < b.offset + b.length && b.offset < a.offset + a.length;
}

/** Reads the metadata table, then the items it needs in file order. */
function* metadata(region: Region): Task<Map<string, Buffer>> {
  const t = yield* read(region.offset, 64 * KiB);
  need(t, 64 * KiB, 'VHDX metadata table');
  if (!startsWith(t, 0, 'metadata')) refuse('invalid_header', 'the VHDX metadata table signature is missing');
  const count = t.readUInt16LE(10);
  if (count > 2047) refuse('invalid_header', `the VHDX metadata table has ${count} entries`);
  const wanted: { id: string; offset: number; length: number }[] = [];
  for (let i = 0; i < count; i++) {
    const e = t.subarray(32 + 32 * i, 64 + 32 * i);
    const id = e.subarray(0, 16).toString('hex');
    const offset = e.readUInt32LE(16);
    const length = e.readUInt32LE(20);
    const flags = e.readUInt32LE(24);
    const isUser = (flags & 1) !== 0;
    if (!isUser && ITEM_READ[id] === undefined) {
      if (flags & 4) refuse('unknown_feature', `unknown required VHDX metadata item ${guidString(e)}`);
      continue;
    }
    if (isUser || length === 0) continue;
    if (offset < 64 * KiB || offset + length > region.length) refuse('invalid_header', `VHDX metadata item ${guidString(e)} lies outside its region`);
    // Fixed-size items (all but the parent locator) have the size the spec gives them, no less.
    if (id !== PARENT_LOCATOR && length < ITEM_READ[id]!) refuse('invalid_header', `VHDX metadata item ${guidString(e)} is ${length} bytes, shorter than its type`);
    wanted.push({ id, offset, length: Math.min(length, ITEM_READ[id]!) });
  }
  const items = new Map<string, Buffer>();
  for (const w of wanted.sort((a, b) => a.offset - b.offset)) {
    if (items.has(w.id)) refuse('invalid_header', `VHDX metadata item ${w.id} is listed twice`);
    const data = yield* read(region.offset + w.offset, w.length);
    need(data, w.length, 'VHDX metadata');
    items.set(w.id, data);
  }
  return items;
}

/** The furthest payload block (in MiB units; -1 if none) and whether any starts inside a region. */
function* batScan(bat: Region, regions: Region[]): Task<number> {
  let maxMiB = -1;
  yield* scan(bat.offset, Math.min(bat.length, BAT_SCAN_CAP), 8, (rec) => {
    for (let i = 0; i < rec.length; i += 8) {
      const lo = rec.readUInt32LE(i);
      const state = lo & 7;
      if (state !== 6 && state !== 7) continue; // PAYLOAD_BLOCK_FULLY / PARTIALLY_PRESENT
      const mb = rec.readUInt32LE(i + 4) * 4096 + (lo >>> 20);
      if (regions.some((r) => overlaps(r, { offset: mb * MiB, length: MiB }))) refuse('invalid_header', `a VHDX data block at ${mb} MiB overlaps metadata`);
      maxMiB = Math.max(maxMiB, mb);
    }
  });
  return maxMiB;
}

function parentDescription(locator: Buffer | undefined): string {
  if (!locator || locator.length < 20) return '(no parent locator)';
  const n = locator.readUInt16LE(18);
  const pairs: string[] = [];
  for (let i = 0; i < n && 20 + 12 * i + 12 <= locator.length; i++) {
    const e = 20 + 12 * i;
    const str = (off: number, len: number) => locator.subarray(off, off + len).toString('utf16le');
    const key = str(locator.readUInt32LE(e), locator.readUInt16LE(e + 8));
    if (/path|linkage/.test(key)) pairs.push(`${quote(key, 40)}=${quote(str(locator.readUInt32LE(e + 4), locator.readUInt16LE(e + 10)), 100)}`);
  }
  return pairs.length ? pairs.slice(0, 3).join(', ') : '(parent locator)';
}

function* inspectVhdx(ctx: InspectContext): Task<Accept | null> {
  const id = yield* read(0, 8);
  if (!startsWith(id, 0, 'vhdxfile')) return null;
  yield* matched('vhdx');
  const area = yield* read(64 * KiB, 192 * KiB); // header 1, header 2, region table 1 (§2.1)
  need(area, 192 * KiB, 'VHDX headers and region table');
  const h = currentHeader(area.subarray(0, 4 * KiB), area.subarray(64 * KiB, 68 * KiB));
  if (h.readUInt16LE(66) !== 1 || h.readUInt16LE(64) !== 0) refuse('invalid_header', 'unsupported VHDX (log) version');
  if (!isZero(h.subarray(48, 64))) refuse('invalid_header', 'the VHDX log must be replayed (log GUID set); replay rewrites the file');
  const log = { offset: off64(h, 72, true), length: h.readUInt32LE(68) };
  if (log.offset % MiB !== 0 || log.length % MiB !== 0 || (log.length > 0 && log.offset < MiB)) refuse('invalid_header', 'the VHDX log region is misaligned');
  const { bat, metadata: meta } = regionTable(area.subarray(128 * KiB, 192 * KiB));
  const regions = [{ offset: 0, length: MiB }, bat, meta, ...(log.length > 0 ? [log] : [])];
  for (let i = 0; i < regions.length; i++) {
    for (let j = i + 1; j < regions.length; j++) if (overlaps(regions[i]!, regions[j]!)) refuse('invalid_header', 'VHDX regions overlap');
  }

  const [items, maxMiB] = yield* all<[Map<string, Buffer>, number]>([metadata(meta), batScan(bat, regions)]);
  const params = items.get(FILE_PARAMETERS);
  const hasParent = params !== undefined && (params.readUInt32LE(4) & 2) !== 0;
  if (hasParent || items.has(PARENT_LOCATOR)) {
    refuse('backing_file', `the VHDX is a differencing disk with parent ${parentDescription(items.get(PARENT_LOCATOR))}`);
  }
  const vdsItem = items.get(VIRTUAL_DISK_SIZE);
  const logicalItem = items.get(LOGICAL_SECTOR);
  const physicalItem = items.get(PHYSICAL_SECTOR);
  if (!params || !vdsItem || !logicalItem || !physicalItem || !items.has(PAGE83)) refuse('invalid_header', 'the VHDX lacks required metadata items');
  const blockSize = params.readUInt32LE(0);
  const logical = logicalItem.readUInt32LE(0);
  const physical = physicalItem.readUInt32LE(0);
  if (!isPowerOfTwo(blockSize) || blockSize < MiB || blockSize > 256 * MiB) refuse('invalid_header', `invalid VHDX block size ${blockSize}`);
  if ((logical !== 512 && logical !== 4096) || (physical !== 512 && physical !== 4096)) refuse('invalid_header', 'invalid VHDX sector size');
  const vds = u64(vdsItem, 0, true);
  if (vds > BigInt(ctx.maxVirtualSize)) refuse('virtual_size_too_large', `the virtual size ${vds} bytes is above the limit of ${ctx.maxVirtualSize} bytes`);
  const virtualSize = Number(vds);
  if (virtualSize > MAX_VIRTUAL_DISK || virtualSize % logical !== 0) refuse('invalid_header', `invalid VHDX virtual disk size ${virtualSize}`);
  // §2.5: one sector-bitmap entry after every chunk_ratio payload entries.
  const dataBlocks = Math.ceil(virtualSize / blockSize);
  const chunkRatio = (2 ** 23 * logical) / blockSize;
  const entries = dataBlocks === 0 ? 0 : dataBlocks + Math.floor((dataBlocks - 1) / chunkRatio);
  if (entries * 8 > bat.length) refuse('invalid_header', 'the VHDX BAT region is too small for the disk');

  const size = yield* fileSize();
  if (log.length > 0) within(size, log.offset, log.length, 'VHDX log');
  within(size, bat.offset, bat.length, 'VHDX BAT region');
  within(size, meta.offset, meta.length, 'VHDX metadata region');
  if (maxMiB >= 0) within(size, maxMiB * MiB, blockSize, 'last VHDX data block');
  return {
    virtualSize,
    details: { blockSize, logicalSectorSize: logical, physicalSectorSize: physical, fixed: (params.readUInt32LE(4) & 1) !== 0 },
  };
}

export const vhdxInspector: Inspector = { name: 'vhdx', run: inspectVhdx };
