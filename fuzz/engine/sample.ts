/**
 * A fuzz input: a virtual file of `size` bytes that is zero except for a few extents of kept
 * bytes. Disk images are mostly empty space between small metadata structures (a header at 0,
 * tables further on, a footer at the end), so a 16 MiB image can be fuzzed through the 130 KiB
 * that matter while the inspectors still see its real size and offsets.
 */
import { readFile, writeFile } from 'node:fs/promises';

export interface Extent {
  at: number;
  data: Buffer;
}

export interface Sample {
  size: number;
  /** Sorted by offset, disjoint, non-empty, within [0, size). */
  extents: Extent[];
}

/** Most bytes an input keeps (the inspectors read metadata only; a few structures fit). */
export const MAX_DATA = 1 << 20;
/** Largest virtual size: beyond 1 GiB streaming the zeros costs more than it finds. */
export const MAX_SIZE = 2 ** 30;

/** Shared zeros handed out for gaps; callers must not write into what `readAt` returns. */
const ZEROS = Buffer.alloc(1 << 20);
const ZEROS_REFERENCE = Buffer.alloc(ZEROS.length);
/** How much of ZEROS was handed out since the last `zerosIntact` check. */
let zerosLent = 0;

/**
 * True if nobody wrote into the shared zeros since the last check (the code under test must not
 * write into buffers it reads). Repairs them, so that one bad write does not spoil later inputs.
 */
export function zerosIntact(): boolean {
  const n = zerosLent;
  zerosLent = 0;
  if (ZEROS.subarray(0, n).equals(ZEROS_REFERENCE.subarray(0, n))) return true;
  ZEROS.fill(0);
  return false;
}

export function dataBytes(s: Sample): number {
  let n = 0;
  for (const e of s.extents) n += e.data.length;
  return n;
}

export function wholeSample(buf: Buffer): Sample {
  return { size: buf.length, extents: buf.length > 0 ? [{ at: 0, data: buf }] : [] };
}

export function cloneSample(s: Sample): Sample {
  return { size: s.size, extents: s.extents.map((e) => ({ at: e.at, data: Buffer.from(e.data) })) };
}

/**
 * Sorts, clips to the size and merges overlapping or touching extents (a later extent's bytes
 * win where two overlap), so that any byte range lies in at most one extent or in a gap.
 */
export function normalize(s: Sample): Sample {
  const parts = s.extents
    .map((e, order) => ({ at: e.at, data: e.data.subarray(0, Math.max(0, Math.min(e.data.length, s.size - e.at))), order }))
    .filter((e) => e.at >= 0 && e.data.length > 0)
    .sort((a, b) => a.at - b.at || a.order - b.order);
  const out: Extent[] = [];
  let group: typeof parts = [];
  let groupEnd = -1;
  const flush = () => {
    if (group.length === 0) return;
    if (group.length === 1) out.push({ at: group[0]!.at, data: group[0]!.data });
    else {
      const at = group[0]!.at;
      const data = Buffer.alloc(groupEnd - at);
      for (const g of [...group].sort((a, b) => a.order - b.order)) g.data.copy(data, g.at - at);
      out.push({ at, data });
    }
    group = [];
  };
  for (const p of parts) {
    if (p.at > groupEnd) flush();
    group.push(p);
    groupEnd = Math.max(groupEnd, p.at + p.data.length);
  }
  flush();
  return { size: s.size, extents: out };
}

/**
 * Bytes [offset, offset + length) of the virtual file, shorter only at its end. A range inside
 * one extent or one gap is returned without copying.
 */
export function readAt(s: Sample, offset: number, length: number): Buffer {
  const end = Math.min(s.size, offset + length);
  if (end <= offset) return Buffer.alloc(0);
  const n = end - offset;
  for (const e of s.extents) {
    if (e.at + e.data.length <= offset) continue;
    if (e.at <= offset && end <= e.at + e.data.length) return e.data.subarray(offset - e.at, end - e.at);
    if (e.at >= end) break;
    return assemble(s, offset, end);
  }
  if (n > ZEROS.length) return Buffer.alloc(n);
  zerosLent = Math.max(zerosLent, n);
  return ZEROS.subarray(0, n);
}

function assemble(s: Sample, offset: number, end: number): Buffer {
  const out = Buffer.alloc(end - offset);
  for (const e of s.extents) {
    const from = Math.max(offset, e.at);
    const to = Math.min(end, e.at + e.data.length);
    if (from < to) e.data.copy(out, from - offset, from - e.at, to - e.at);
  }
  return out;
}

/** The whole virtual file in memory (for small samples only). */
export function materialize(s: Sample): Buffer {
  return assemble(s, 0, s.size);
}

/** Bytes `encodeInto` writes for `s`. */
export function encodedLength(s: Sample): number {
  return 12 + s.extents.reduce((n, e) => n + 12 + e.data.length, 0);
}

/**
 * Compact binary form (size, then each extent's offset, length and bytes), for messages between
 * threads and for the watchdog's shared buffer. Writes into `out`; returns the bytes written.
 */
export function encodeInto(s: Sample, out: Buffer): number {
  out.writeDoubleLE(s.size, 0);
  out.writeUInt32LE(s.extents.length, 8);
  let at = 12;
  for (const e of s.extents) {
    out.writeDoubleLE(e.at, at);
    out.writeUInt32LE(e.data.length, at + 8);
    e.data.copy(out, at + 12);
    at += 12 + e.data.length;
  }
  return at;
}

export function encodeSample(s: Sample): Buffer {
  const out = Buffer.allocUnsafe(encodedLength(s));
  encodeInto(s, out);
  return out;
}

export function decodeSample(buf: Buffer): Sample {
  const size = buf.readDoubleLE(0);
  const n = buf.readUInt32LE(8);
  const extents: Extent[] = [];
  let at = 12;
  for (let i = 0; i < n; i++) {
    const len = buf.readUInt32LE(at + 8);
    extents.push({ at: buf.readDoubleLE(at), data: Buffer.from(buf.subarray(at + 12, at + 12 + len)) });
    at += 12 + len;
  }
  return { size, extents };
}

/**
 * Saves a sample where people can use it: a plain image file (`.img`) up to `plainMax` bytes,
 * else a JSON description (`.sparse.json`: size and hex extents). Returns the path written.
 */
export async function saveSample(pathWithoutExt: string, s: Sample, plainMax = 1 << 20): Promise<string> {
  if (s.size <= plainMax) {
    const path = `${pathWithoutExt}.img`;
    await writeFile(path, materialize(s));
    return path;
  }
  const path = `${pathWithoutExt}.sparse.json`;
  await writeFile(path, `${JSON.stringify({ size: s.size, extents: s.extents.map((e) => ({ at: e.at, hex: e.data.toString('hex') })) }, null, 1)}\n`);
  return path;
}

/** Loads what `saveSample` wrote (or any small image file). */
export async function loadSample(path: string): Promise<Sample> {
  if (path.endsWith('.sparse.json')) {
    const j = JSON.parse(await readFile(path, 'utf8')) as { size: number; extents: { at: number; hex: string }[] };
    return normalize({ size: j.size, extents: j.extents.map((e) => ({ at: e.at, data: Buffer.from(e.hex, 'hex') })) });
  }
  return wholeSample(await readFile(path));
}

/**
 * A cheap 32-bit fingerprint of an input (size, offsets, lengths and up to 4 KiB of strided bytes
 * per extent), to derive per-input choices that a replay of the same file repeats.
 */
export function fingerprint(s: Sample): number {
  let h = Math.imul(0x811c9dc5 ^ (s.size >>> 0), 0x01000193) ^ Math.floor(s.size / 2 ** 32);
  for (const e of s.extents) {
    h = Math.imul(h ^ (e.at >>> 0) ^ (e.data.length << 7), 0x01000193);
    const step = Math.max(1, Math.floor(e.data.length / 4096));
    for (let i = 0; i < e.data.length; i += step) h = Math.imul(h ^ e.data[i]!, 0x01000193);
  }
  return h >>> 0;
}
