/**
 * VMDK (VMware "Virtual Disk Format 1.1"; qemu block/vmdk.c).
 *
 * Only a self-contained single-file sparse VMDK is accepted: a KDMV hosted sparse extent with
 * capacity > 0, createType monolithicSparse or streamOptimized, exactly one SPARSE extent named
 * by a bare file name (itself), and no parent. Everything else can make a consumer read other
 * files: text descriptors and FLAT/VMFS/... extents (CVE-2022-47951), a KDMV header with
 * capacity 0 (qemu then parses the embedded descriptor as a descriptor file), or a
 * parentFileNameHint (qemu opens it as the backing file).
 */
import { isZero, need, off64, quote, startsWith, u64, within } from './bytes.js';
import { MAX_READ, fileSize, matched, read, refuse, scan, SECOND_LEVEL_SCAN_BUDGET, tail } from './task.js';
import type { Accept, InspectContext, Inspector, Task } from './task.js';
import { isBareFileName, looksLikeDescriptor, parseDescriptor } from './vmdk-descriptor.js';
import type { VmdkDescriptor } from './vmdk-descriptor.js';

const SECTOR = 512;
const PROBE = 2048;
const GD_AT_END = 0xffffffffffffffffn;
const FLAG_NL_TEST = 1;
const FLAG_REDUNDANT_GT = 2;
const FLAG_COMPRESSED = 1 << 16;
const MARKER_FOOTER = 3;
const ALLOWED_CREATE_TYPES = new Set(['monolithicSparse', 'streamOptimized']);

function descriptorText(buf: Buffer): string {
  const nul = buf.indexOf(0);
  return buf.subarray(0, nul < 0 ? buf.length : nul).toString('latin1');
}

function hasParent(d: VmdkDescriptor): string | null {
  const hint = d.fields.get('parentfilenamehint');
  if (hint !== undefined) return `a parent disk ${quote(hint)} (parentFileNameHint; qemu opens it as the backing file)`;
  const cid = d.fields.get('parentcid');
  if (cid !== undefined && cid.toLowerCase() !== 'ffffffff') return `a parent disk (parentCID=${quote(cid)})`;
  return null;
}

function extentList(d: VmdkDescriptor): string {
  return d.extents.length === 0 ? 'no extents' : d.extents.slice(0, 4).map((e) => quote(e.line, 80)).join(', ');
}

/** A descriptor-only file: its data is in other files by construction. */
function* textDescriptor(head: Buffer): Task<Accept | null> {
  if (head.length === 0 || !/[#vV \t\r\n]/.test(String.fromCharCode(head[0]!))) return null;
  const more = head.length === SECTOR ? yield* read(SECTOR, PROBE - SECTOR) : Buffer.alloc(0);
  const probe = Buffer.concat([head, more]);
  if (!looksLikeDescriptor(probe)) return null;
  yield* matched('vmdk');
  const rest = probe.length === PROBE ? yield* read(PROBE, MAX_READ - PROBE) : Buffer.alloc(0);
  const d = parseDescriptor(descriptorText(Buffer.concat([probe, rest])));
  const parent = hasParent(d);
  if (parent) refuse('backing_file', `the VMDK descriptor names ${parent}`);
  refuse('vmdk_extent_outside',
    `a VMDK descriptor file (createType ${quote(d.fields.get('createtype') ?? '?')}) keeps the disk in other files: ${extentList(d)}`);
}

function* inspectVmdk(ctx: InspectContext): Task<Accept | null> {
  const h = yield* read(0, SECTOR);
  if (startsWith(h, 0, 'COWD')) {
    yield* matched('vmdk');
    refuse('unsupported_format', 'VMDK3 ("COWD") sparse extents are not accepted');
  }
  if (!startsWith(h, 0, 'KDMV')) return yield* textDescriptor(h);
  yield* matched('vmdk');
  need(h, SECTOR, 'VMDK sparse extent header');
  const version = h.readUInt32LE(4);
  const flags = h.readUInt32LE(8);
  const capacity = u64(h, 12, true);
  const grain = off64(h, 20, true);
  const descOffset = off64(h, 28, true);
  const descSize = off64(h, 36, true);
  const gtes = h.readUInt32LE(44);
  const rgdOffset = off64(h, 48, true);
  const gdRaw = u64(h, 56, true);
  const compressAlgorithm = h.readUInt16LE(77);

  if (version < 1 || version > 3) refuse('invalid_header', `VMDK sparse extent version ${version} is not 1..3`);
  if (flags & FLAG_NL_TEST && !h.subarray(73, 77).equals(Buffer.from('\n \r\n', 'latin1'))) {
    refuse('invalid_header', 'the VMDK newline check bytes are damaged (the file went through a text-mode transfer)');
  }
  if (descOffset === 0 || descSize === 0) refuse('invalid_header', 'the VMDK has no embedded descriptor');
  const descBytes = Math.min(descSize * SECTOR, MAX_READ);
  const raw = yield* read(descOffset * SECTOR, descBytes);
  need(raw, descBytes, 'VMDK embedded descriptor');
  if (descSize * SECTOR > MAX_READ && raw.indexOf(0) < 0) refuse('invalid_header', 'the VMDK descriptor is larger than 1 MiB');
  const text = descriptorText(raw);
  if (/[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/.test(text)) refuse('invalid_header', 'the VMDK descriptor contains binary data');
  const d = parseDescriptor(text);

  const parent = hasParent(d);
  if (parent) refuse('backing_file', `the VMDK names ${parent}`);
  if (capacity === 0n) {
    refuse('vmdk_extent_outside', `a sparse VMDK header with capacity 0: qemu reads its embedded descriptor as a descriptor file (${extentList(d)})`);
  }
  const createType = d.fields.get('createtype') ?? '';
  if (!ALLOWED_CREATE_TYPES.has(createType)) {
    refuse('vmdk_extent_outside', `VMDK createType ${quote(createType)} is not a single self-contained file (monolithicSparse or streamOptimized)`);
  }
  const [extent, ...others] = d.extents;
  if (!extent || others.length > 0 || extent.type !== 'SPARSE' || extent.access === 'NOACCESS'
    || extent.fileName === null || !isBareFileName(extent.fileName)) {
    refuse('vmdk_extent_outside', `a single-file VMDK must have exactly one SPARSE extent naming itself; found ${extentList(d)}`);
  }
  if (d.unknown.length > 0) refuse('invalid_header', `unrecognised VMDK descriptor line ${quote(d.unknown[0]!, 80)}`);
  if (d.repeated.length > 0) refuse('invalid_header', `the VMDK descriptor sets ${quote(d.repeated[0]!)} more than once`);
  if (extent.offset !== null) refuse('invalid_header', 'a SPARSE extent line must not carry an offset');
  if (extent.sectors !== capacity) refuse('invalid_header', `the extent size (${extent.sectors} sectors) differs from the header capacity (${capacity})`);
  if (compressAlgorithm > 1 || (flags & FLAG_COMPRESSED && compressAlgorithm !== 1)) {
    refuse('invalid_header', `unsupported VMDK compression algorithm ${compressAlgorithm}`);
  }
  // qemu vmdk_open_vmdk4 / vmdk_add_extent limits.
  if (grain < 1 || grain > 0x200000 || (grain & (grain - 1)) !== 0) refuse('invalid_header', `invalid VMDK grain size ${grain} sectors`);
  if (gtes < 1 || gtes > 512) refuse('invalid_header', `invalid VMDK grain table size ${gtes}`);
  const virtualSize = capacity * BigInt(SECTOR);
  if (virtualSize > BigInt(ctx.maxVirtualSize)) {
    refuse('virtual_size_too_large', `the virtual size ${virtualSize} bytes is above the limit of ${ctx.maxVirtualSize} bytes`);
  }
  const gdBytes = Number((capacity + BigInt(grain * gtes) - 1n) / BigInt(grain * gtes)) * 4;
  const gtBytes = gtes * 4;

  let gdOffset: number;
  let gtEnd = 0;
  let maxGrain = -1;
  let size: number;
  if (gdRaw === GD_AT_END) {
    // streamOptimized with the grain directory at the end: footer marker, footer (a copy of
    // the header with the real GD offset), end-of-stream marker (VMDK 1.1 "Stream-Optimized").
    const t = yield* tail(3 * SECTOR);
    size = yield* fileSize();
    if (t.length < 3 * SECTOR || !startsWith(t, SECTOR, 'KDMV')) refuse('truncated', 'the streamOptimized VMDK footer is missing');
    const marker = t.subarray(0, 16);
    if (marker.readUInt32LE(12) !== MARKER_FOOTER || !isZero(t.subarray(2 * SECTOR, 2 * SECTOR + 16))) {
      refuse('invalid_header', 'the streamOptimized VMDK footer or end-of-stream marker is invalid');
    }
    const f = t.subarray(SECTOR, 2 * SECTOR);
    for (const [at, len] of [[4, 4], [12, 8], [20, 8], [28, 8], [36, 8], [44, 4]] as const) {
      if (!f.subarray(at, at + len).equals(h.subarray(at, at + len))) refuse('invalid_header', 'the VMDK footer disagrees with the header');
    }
    if (u64(f, 56, true) === GD_AT_END) refuse('invalid_header', 'the VMDK footer has no grain directory offset');
    gdOffset = off64(f, 56, true) * SECTOR;
    within(size - 3 * SECTOR, gdOffset, gdBytes, 'grain directory');
  } else {
    gdOffset = off64(h, 56, true) * SECTOR;
    if (gdOffset === 0) refuse('invalid_header', 'the VMDK has no grain directory');
    const tables: number[] = [];
    const maxTables = Math.floor(SECOND_LEVEL_SCAN_BUDGET / gtBytes);
    yield* scan(gdOffset, gdBytes, 4, (rec) => {
      for (let i = 0; i < rec.length; i += 4) {
        const gt = rec.readUInt32LE(i);
        if (gt !== 0 && tables.length <= maxTables) tables.push(gt * SECTOR);
        if (gt !== 0) gtEnd = Math.max(gtEnd, gt * SECTOR + gtBytes);
      }
    });
    // Grain tables follow the directory in every writer's layout; ones placed before it
    // cannot be reached in one pass and are skipped (by both drivers alike).
    let pos = gdOffset + gdBytes;
    if (tables.length <= maxTables) {
      for (const gt of tables.sort((a, b) => a - b)) {
        if (gt < pos) continue;
        pos = gt + gtBytes;
        yield* scan(gt, gtBytes, 4, (rec) => {
          for (let i = 0; i < rec.length; i += 4) {
            const g = rec.readUInt32LE(i);
            if (g > 1) maxGrain = Math.max(maxGrain, g); // 0: unallocated, 1: zeroed grain
          }
        });
      }
    }
    // A compressed grain starts with a marker giving its length (VMDK 1.1 "Stream-Optimized
    // Compressed Sparse Extents"): the furthest one must end inside the file.
    let lastGrain: Buffer | null = null;
    if (flags & FLAG_COMPRESSED && maxGrain > 1 && maxGrain * SECTOR >= pos) lastGrain = yield* read(maxGrain * SECTOR, 12);
    size = yield* fileSize();
    if (lastGrain) {
      need(lastGrain, 12, 'last compressed grain');
      within(size, maxGrain * SECTOR, 12 + lastGrain.readUInt32LE(8), 'last compressed grain');
    }
    within(size, gdOffset, gdBytes, 'grain directory');
    if (flags & FLAG_REDUNDANT_GT && rgdOffset > 0) within(size, rgdOffset * SECTOR, gdBytes, 'redundant grain directory');
  }
  within(size, descOffset * SECTOR, Math.min(descSize * SECTOR, MAX_READ), 'embedded descriptor');
  within(size, 0, gtEnd, 'grain tables');
  if (maxGrain >= 0 && maxGrain * SECTOR >= size) {
    refuse('truncated', `a grain table points to sector ${maxGrain}, beyond the end of the ${size}-byte file`);
  }
  return {
    virtualSize: Number(virtualSize),
    details: { subformat: createType, version, compressed: (flags & FLAG_COMPRESSED) !== 0, grainSize: grain * SECTOR },
  };
}

export const vmdkInspector: Inspector = { name: 'vmdk', run: inspectVmdk };
