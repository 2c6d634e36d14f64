/**
 * A VHDX seed ([MS-VHDX] §2): file identifier, two headers (CRC-32C), the region table, a log
 * region, the metadata region with its five required items, a BAT with one present block, and
 * that block. Laid out as qemu does: 1 MiB of headers, then log, metadata and BAT regions.
 */
import { normalize } from '../engine/sample.js';
import type { Extent, Sample } from '../engine/sample.js';
import { crc32c, sealLE } from './checksums.js';
import type { Seed } from './seed.js';

const KiB = 1024;
const MiB = 1024 * KiB;

/** On-disk bytes of a GUID (first three fields little-endian). */
export function guidBytes(text: string): Buffer {
  const b = Buffer.from(text.replace(/-/g, ''), 'hex');
  b.subarray(0, 4).reverse();
  b.subarray(4, 6).reverse();
  b.subarray(6, 8).reverse();
  return b;
}

const BAT_REGION = '2DC27766-F623-4200-9D64-115E9BFD4A08';
const METADATA_REGION = '8B7CA206-4790-4B9A-B8FE-575F050F886E';
const FILE_PARAMETERS = 'CAA16737-FA36-4D43-B3B6-33F0AA44E76B';
const VIRTUAL_DISK_SIZE = '2FA54224-CD1B-4876-B211-5DBED83BF4B8';
const PAGE83 = 'BECA12AB-B2E6-4523-93EF-C309E000C746';
const LOGICAL_SECTOR = '8141BF1D-A96F-4709-BA47-F233A8FAAB5F';
const PHYSICAL_SECTOR = 'CDA348C7-445D-4471-9CC9-E9885251C556';
const PARENT_LOCATOR = 'A8D35F2D-B30B-454D-ABF7-D3D84834AB0C';

const LOG = { offset: 1 * MiB, length: 1 * MiB };
const METADATA = { offset: 2 * MiB, length: 1 * MiB };
const BAT = { offset: 3 * MiB, length: 1 * MiB };
const BLOCK = 1 * MiB;
const VIRTUAL_SIZE = 4 * MiB;

function header(sequence: bigint): Buffer {
  const h = Buffer.alloc(4 * KiB);
  h.write('head', 0, 'latin1');
  h.writeBigUInt64LE(sequence, 8);
  h.fill(0x11, 16, 48); // file and data write GUIDs; log GUID (48..64) zero: no log to replay
  h.writeUInt16LE(0, 64); // log version
  h.writeUInt16LE(1, 66); // version
  h.writeUInt32LE(LOG.length, 68);
  h.writeBigUInt64LE(BigInt(LOG.offset), 72);
  sealLE(h, 4, crc32c);
  return h;
}

function regionTable(): Buffer {
  const t = Buffer.alloc(64 * KiB);
  t.write('regi', 0, 'latin1');
  t.writeUInt32LE(2, 8);
  [[BAT_REGION, BAT], [METADATA_REGION, METADATA]].forEach(([id, r], i) => {
    const e = t.subarray(16 + 32 * i);
    guidBytes(id as string).copy(e, 0);
    e.writeBigUInt64LE(BigInt((r as typeof BAT).offset), 16);
    e.writeUInt32LE((r as typeof BAT).length, 24);
    e.writeUInt32LE(1, 28); // required
  });
  sealLE(t, 4, crc32c);
  return t;
}

/** The metadata table and its items (at 64 KiB into the region, 32 bytes apart). */
function metadata(withParent: boolean): Buffer {
  const m = Buffer.alloc(64 * KiB + 7 * 32);
  m.write('metadata', 0, 'latin1');
  const u32 = (v: number) => { const b = Buffer.alloc(4); b.writeUInt32LE(v); return b; };
  const params = Buffer.alloc(8);
  params.writeUInt32LE(BLOCK, 0);
  params.writeUInt32LE(withParent ? 2 : 0, 4);
  const vds = Buffer.alloc(8);
  vds.writeBigUInt64LE(BigInt(VIRTUAL_SIZE));
  const items: [string, Buffer, number][] = [
    [FILE_PARAMETERS, params, 4], [VIRTUAL_DISK_SIZE, vds, 6], [PAGE83, Buffer.alloc(16, 0x22), 6],
    [LOGICAL_SECTOR, u32(512), 6], [PHYSICAL_SECTOR, u32(4096), 6],
  ];
  if (withParent) {
    // A parent locator: header (type GUID, key-value count) and one "parent_linkage" entry.
    const loc = Buffer.alloc(128);
    loc.writeUInt16LE(1, 18);
    const key = Buffer.from('parent_linkage', 'utf16le');
    const value = Buffer.from('{00000000-0000-0000-0000-000000000001}', 'utf16le');
    loc.writeUInt32LE(32, 20);
    loc.writeUInt32LE(32 + key.length, 24);
    loc.writeUInt16LE(key.length, 28);
    loc.writeUInt16LE(value.length, 30);
    key.copy(loc, 32);
    value.copy(loc, 32 + key.length);
    items.push([PARENT_LOCATOR, loc.subarray(0, 32 + key.length + value.length), 6]);
  }
  m.writeUInt16LE(items.length, 10);
  let at = 64 * KiB;
  const out: Buffer[] = [m.subarray(0, 64 * KiB)];
  items.forEach(([id, data, flags], i) => {
    const e = m.subarray(32 + 32 * i);
    guidBytes(id).copy(e, 0);
    e.writeUInt32LE(at, 16);
    e.writeUInt32LE(data.length, 20);
    e.writeUInt32LE(flags, 24); // 2: virtual disk item, 4: required
    out.push(data);
    at += data.length;
  });
  return Buffer.concat(out);
}

function vhdx(withParent: boolean): Sample {
  const bat = Buffer.alloc(8 * (VIRTUAL_SIZE / BLOCK));
  bat.writeBigUInt64LE(BigInt(4 * MiB) | 6n, 0); // block 0: PAYLOAD_BLOCK_FULLY_PRESENT at 4 MiB
  const extents: Extent[] = [
    { at: 0, data: Buffer.from('vhdxfile', 'latin1') },
    { at: 64 * KiB, data: header(1n) },
    { at: 128 * KiB, data: header(2n) },
    { at: 192 * KiB, data: regionTable() },
    { at: 256 * KiB, data: regionTable() },
    { at: METADATA.offset, data: metadata(withParent) },
    { at: BAT.offset, data: bat },
  ];
  return normalize({ size: 4 * MiB + BLOCK, extents });
}

export function vhdxSeeds(): Seed[] {
  return [
    { name: 'vhdx-dynamic', sample: vhdx(false), expect: 'vhdx' },
    { name: 'vhdx-differencing', sample: vhdx(true), expect: 'refused:backing_file' },
  ];
}
