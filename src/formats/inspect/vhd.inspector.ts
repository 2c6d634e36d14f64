/**
 * VHD, qemu's "vpc" (Microsoft "Virtual Hard Disk Image Format Specification" 1.0; qemu
 * block/vpc.c).
 *
 * Dynamic disks carry a footer copy at offset 0 ("conectix"), the dynamic header ("cxsparse")
 * and a BAT; fixed disks are raw data followed by the footer only, which qemu never probes, so
 * they are recognised from the footer at EOF (checksum, type 2, current size = file - 512).
 * Differencing disks, and any parent name or locator, are refused: Hyper-V follows them, and
 * qemu 7.2 silently drops the parent's data.
 */
import { isPowerOfTwo, isZero, need, off64, quote, startsWith, u64, within } from './bytes.js';
import { fileSize, matched, read, refuse, scan, tail } from './task.js';
import type { Accept, InspectContext, Inspector, Task } from './task.js';

const FOOTER = 512;
const FIXED = 2;
const DYNAMIC = 3;
const DIFFERENCING = 4;
/** qemu: 2040 GiB, and the CHS maximum that means "use current_size". */
const VHD_MAX_SECTORS = 0xff000000;
const VHD_MAX_GEOMETRY = 65535 * 16 * 255;

/** The footer's creator application (four bytes, e.g. "qemu"), printable ASCII only: it reaches API responses. */
function creatorApp(footer: Buffer): string {
  return footer.toString('latin1', 28, 32).replace(/\0/g, '').replace(/[^\x20-\x7e]/g, '?');
}

function checksumOk(b: Buffer, at: number): boolean {
  let sum = 0;
  for (let i = 0; i < b.length; i++) if (i < at || i >= at + 4) sum += b[i]!;
  return (~sum >>> 0) === b.readUInt32BE(at);
}

/**
 * The size qemu 7.2 reports: the CHS geometry for images made by Virtual PC or old qemu
 * ("vpc ", "qemu"), current_size for everything else (Hyper-V, disk2vhd, XenServer...) and
 * for the maximal geometry.
 */
function virtualSectors(f: Buffer): number {
  const chs = f.readUInt16BE(56) * f[58]! * f[59]!;
  const creator = f.toString('latin1', 28, 32);
  if ((creator === 'vpc ' || creator === 'qemu') && chs !== VHD_MAX_GEOMETRY) return chs;
  const sectors = u64(f, 48) / 512n;
  return sectors > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(sectors);
}

function checkSize(sectors: number, ctx: InspectContext): number {
  const bytes = sectors * 512;
  if (bytes > ctx.maxVirtualSize) refuse('virtual_size_too_large', `the virtual size ${bytes} bytes is above the limit of ${ctx.maxVirtualSize} bytes`);
  if (sectors > VHD_MAX_SECTORS) refuse('invalid_header', 'the VHD is larger than the 2040 GiB the format allows');
  return bytes;
}

function* fixedFromFooter(ctx: InspectContext): Task<Accept | null> {
  const f = yield* tail(FOOTER);
  if (f.length < FOOTER || !startsWith(f, 0, 'conectix') || !checksumOk(f, 64)) return null;
  yield* matched('vhd', 'wrapper');
  const type = f.readUInt32BE(60);
  if (type === DIFFERENCING) refuse('backing_file', 'the VHD footer describes a differencing disk (it has a parent)');
  if (type !== FIXED) refuse('invalid_header', `a VHD footer of disk type ${type} at the end, but no header copy at offset 0`);
  const size = yield* fileSize();
  if (u64(f, 48) !== BigInt(size - FOOTER)) refuse('invalid_header', 'the fixed VHD current size does not match the file size');
  const virtualSize = checkSize(virtualSectors(f), ctx);
  return { virtualSize, details: { subformat: 'fixed', creator: creatorApp(f) } };
}

function parentOf(dh: Buffer): string | null {
  const name = Buffer.from(dh.subarray(64, 576)).swap16().toString('utf16le').replace(/\0+$/, '');
  if (name !== '') return quote(name);
  for (let i = 0; i < 8; i++) if (dh.readUInt32BE(576 + 24 * i) !== 0) return `(parent locator ${i})`;
  if (!isZero(dh.subarray(40, 56))) return '(parent unique id)';
  return null;
}

function* inspectVhd(ctx: InspectContext): Task<Accept | null> {
  const h = yield* read(0, FOOTER);
  if (!startsWith(h, 0, 'conectix')) return yield* fixedFromFooter(ctx);
  yield* matched('vhd');
  need(h, FOOTER, 'VHD footer copy');
  const type = h.readUInt32BE(60);
  if (type !== DYNAMIC && type !== DIFFERENCING) {
    refuse('invalid_header', type === FIXED ? 'a fixed VHD must not start with a footer copy' : `unknown VHD disk type ${type}`);
  }
  const dataOffset = off64(h, 16);
  if (dataOffset < FOOTER) refuse('invalid_header', `the VHD dynamic header offset ${dataOffset} overlaps the footer copy`);
  const dh = yield* read(dataOffset, 1024);
  need(dh, 1024, 'VHD dynamic disk header');
  if (!startsWith(dh, 0, 'cxsparse')) refuse('invalid_header', 'the VHD dynamic disk header has no "cxsparse" cookie');
  const parent = parentOf(dh);
  if (type === DIFFERENCING || parent) refuse('backing_file', `the VHD is a differencing disk with parent ${parent ?? '(unnamed)'}`);
  if (!checksumOk(h, 64)) refuse('invalid_header', 'the VHD footer checksum is wrong');
  if (!checksumOk(dh, 36)) refuse('invalid_header', 'the VHD dynamic header checksum is wrong');
  if (dh.readUInt32BE(24) !== 0x00010000) refuse('invalid_header', 'unsupported VHD dynamic header version');
  const blockSize = dh.readUInt32BE(32);
  if (!isPowerOfTwo(blockSize) || blockSize < 512) refuse('invalid_header', `invalid VHD block size ${blockSize}`);
  const virtualSize = checkSize(virtualSectors(h), ctx);
  const tableOffset = off64(dh, 16);
  const entries = dh.readUInt32BE(28);
  if (entries * blockSize < virtualSize) refuse('invalid_header', 'the VHD block allocation table is too small for the disk');
  const mapped = Math.ceil(virtualSize / blockSize);
  // 2040 GiB in the usual 2 MiB blocks is a 4 MiB table; tiny blocks would make it huge.
  if (mapped * 4 > 32 << 20) refuse('invalid_header', `VHD blocks of ${blockSize} bytes need a block table larger than 32 MiB`);

  // Only the entries that map the virtual disk matter (qemu ignores the rest).
  let maxSector = -1;
  yield* scan(tableOffset, mapped * 4, 4, (rec) => {
    for (let i = 0; i < rec.length; i += 4) {
      const s = rec.readUInt32BE(i);
      if (s !== 0xffffffff) maxSector = Math.max(maxSector, s);
    }
  });
  const f = yield* tail(FOOTER);
  if (!startsWith(f, 0, 'conectix')) refuse('truncated', 'the VHD footer at the end of the file is missing');
  if (!checksumOk(f, 64) || !f.subarray(16, 24).equals(h.subarray(16, 24)) || !f.subarray(48, 64).equals(h.subarray(48, 64))) {
    refuse('invalid_header', 'the VHD footer at the end disagrees with its copy at offset 0');
  }
  const size = yield* fileSize();
  within(size, dataOffset, 1024, 'VHD dynamic header');
  within(size, tableOffset, entries * 4, 'VHD block allocation table');
  if (maxSector >= 0) {
    const bitmap = Math.ceil(blockSize / 512 / 8 / 512) * 512;
    within(size - FOOTER, maxSector * 512, bitmap + blockSize, 'last VHD data block');
  }
  return { virtualSize, details: { subformat: 'dynamic', blockSize, creator: creatorApp(h) } };
}

export const vhdInspector: Inspector = { name: 'vhd', run: inspectVhd };
