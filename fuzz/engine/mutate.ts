/**
 * Mutations of sparse inputs, AFL "havoc" style: a few stacked random edits per child. Two things
 * suit disk images in particular:
 * - Where: most edits land where headers live (the first 4 KiB, the last 512 bytes, where footers
 *   are) or at offsets that a 32/64-bit field of the input points to (tables, descriptors,
 *   secondary headers), read in both byte orders and in 512-byte sector units.
 * - What: integers of the widths and byte orders the formats use (LE and BE, 16/32/64-bit) set to
 *   boundary values, to values derived from the file size and from where data is kept (so fields
 *   can come to point at real structures), or nudged by small amounts.
 */
import type { Random } from './random.js';
import { cloneSample, dataBytes, MAX_DATA, MAX_SIZE, normalize, readAt } from './sample.js';
import type { Extent, Sample } from './sample.js';

/** At most this many separate extents, so an input stays cheap to copy and read. */
const MAX_EXTENTS = 64;
const HEADER_AREA = 4096;
const FOOTER_AREA = 512;

const INTERESTING_8 = [0, 1, 0x0a, 0x20, 0x7f, 0x80, 0xff];
const INTERESTING_16 = [0, 1, 0x7fff, 0x8000, 0xffff, 0x100, 0x200, 0x1000];
const INTERESTING_32 = [0, 1, 0x7fffffff, 0x80000000, 0xffffffff, 0xfffffffe, 0x200, 0x1000, 0x10000, 0x100000, 0x200000, 0x1000000];
const INTERESTING_64 = [
  0n, 1n, 0x7fffffffn, 0x80000000n, 0xffffffffn, 0x100000000n, 1n << 40n, (1n << 40n) + 1n, 1n << 52n, 1n << 53n, (1n << 53n) + 1n,
  (1n << 63n) - 1n, 1n << 63n, (1n << 64n) - 1n,
];

/** A corpus input and the offsets its fields point to (computed once, used for every child). */
export interface Parent {
  sample: Sample;
  pointers: number[];
}

/**
 * Offsets that some 32- or 64-bit field in the header area or the footer area points to, read
 * little- and big-endian, as bytes or as 512-byte sectors: where tables and secondary headers
 * are. Only offsets inside the file and beyond the header area are kept.
 */
export function pointerTargets(s: Sample): number[] {
  const found = new Set<number>();
  const consider = (v: number) => {
    for (const at of [v, v * 512]) if (at > HEADER_AREA && at < s.size) found.add(at);
  };
  const scanArea = (offset: number, length: number) => {
    const b = readAt(s, offset, length);
    for (let i = 0; i + 4 <= b.length; i += 4) {
      const le = b.readUInt32LE(i);
      const be = b.readUInt32BE(i);
      consider(le);
      consider(be);
      if (i + 8 <= b.length) {
        consider(b.readUInt32LE(i + 4) * 2 ** 32 + le);
        consider(be * 2 ** 32 + b.readUInt32BE(i + 4));
      }
    }
  };
  scanArea(0, HEADER_AREA);
  if (s.size > HEADER_AREA) scanArea(Math.max(HEADER_AREA, s.size - FOOTER_AREA), FOOTER_AREA);
  return [...found].sort((a, b) => a - b).slice(0, 256);
}

export class Mutator {
  constructor(
    private readonly rng: Random,
    private readonly dictionary: readonly Buffer[],
  ) {}

  /** A child of `parent`: one to eight stacked edits. `other` gives a second input for crossover. */
  mutate(parent: Parent, other: () => Sample): Sample {
    let s = cloneSample(parent.sample);
    const edits = 1 << this.rng.below(4);
    for (let i = 0; i < edits; i++) {
      const next = this.edit(s, parent.pointers, other);
      if (next && next.size <= MAX_SIZE && next.extents.length <= MAX_EXTENTS && dataBytes(next) <= MAX_DATA) s = next;
    }
    return s;
  }

  /** One random edit, or null when it does not apply. Edits may change `s` in place. */
  private edit(s: Sample, pointers: readonly number[], other: () => Sample): Sample | null {
    const r = this.rng;
    const roll = r.below(40);
    if (roll < 4) return this.poke(s, this.offset(s, pointers), 1, (b, i) => { b[i]! ^= 1 << r.below(8); });
    if (roll < 7) return this.poke(s, this.offset(s, pointers), 1, (b, i) => { b[i] = r.chance(0.5) ? r.pick(INTERESTING_8) : r.below(256); });
    if (roll < 15) return this.integer(s, pointers, 'set');
    if (roll < 20) return this.integer(s, pointers, 'add');
    if (roll < 24) return this.token(s, pointers);
    if (roll < 26) return this.copy(s, pointers);
    if (roll < 28) return this.splice(s, other());
    if (roll < 29) return this.fill(s, pointers);
    if (roll < 31) return this.insert(s, pointers);
    if (roll < 33) return this.remove(s, pointers);
    if (roll < 35) return this.truncate(s, pointers);
    if (roll < 37) return this.extend(s);
    return this.resize(s, pointers);
  }

  /**
   * Where an edit lands: the header area, the footer area, a pointed-to offset (sometimes a few
   * bytes in), or anywhere in the kept bytes.
   */
  private offset(s: Sample, pointers: readonly number[]): number {
    const r = this.rng;
    const roll = r.below(20);
    if (roll < 7 || s.size <= HEADER_AREA) return r.below(Math.max(1, Math.min(s.size, HEADER_AREA)));
    if (roll < 10) return s.size - 1 - r.below(Math.min(s.size, FOOTER_AREA));
    if (roll < 14 && pointers.length > 0) {
      const p = r.pick(pointers) + (r.chance(0.5) ? 0 : r.below(64));
      if (p < s.size) return p;
    }
    if (roll < 19 && s.extents.length > 0) {
      let k = r.below(dataBytes(s));
      for (const e of s.extents) {
        if (k < e.data.length) return e.at + k;
        k -= e.data.length;
      }
    }
    return r.below(Math.max(1, s.size));
  }

  /** Makes [at, at + length) of the virtual file one writable buffer and lets `write` change it. */
  private poke(s: Sample, at: number, length: number, write: (b: Buffer, i: number) => void): Sample | null {
    const end = Math.min(s.size, at + length);
    if (at < 0 || end <= at) return null;
    const place = this.writable(s, at, end);
    if (!place) return null;
    write(place.extent.data, at - place.extent.at);
    return place.sample;
  }

  /** The extent that holds [at, end) after merging whatever overlaps or touches it. */
  private writable(s: Sample, at: number, end: number): { sample: Sample; extent: Extent } | null {
    const inside = s.extents.find((e) => e.at <= at && end <= e.at + e.data.length);
    if (inside) return { sample: s, extent: inside };
    const touching = s.extents.filter((e) => e.at <= end && at <= e.at + e.data.length);
    const from = Math.min(at, ...touching.map((e) => e.at));
    const to = Math.max(end, ...touching.map((e) => e.at + e.data.length));
    // Checked here, before the bytes are copied: a range may span a large gap.
    if (dataBytes(s) - touching.reduce((n, e) => n + e.data.length, 0) + (to - from) > MAX_DATA) return null;
    const extent = { at: from, data: Buffer.from(readAt(s, from, to - from)) };
    const extents = [...s.extents.filter((e) => !touching.includes(e)), extent].sort((a, b) => a.at - b.at);
    return { sample: { size: s.size, extents }, extent };
  }

  /** Sets an integer field to a boundary or file-derived value, or adds a small delta to it. */
  private integer(s: Sample, pointers: readonly number[], how: 'set' | 'add'): Sample | null {
    const r = this.rng;
    const width = how === 'add' ? r.pick([1, 2, 4, 8]) : r.pick([2, 4, 4, 8, 8]);
    const le = r.chance(0.5);
    let at = this.offset(s, pointers);
    if (r.chance(0.7)) at -= at % width; // fields are aligned to their width
    return this.poke(s, at, width, (b, i) => {
      if (i + width > b.length) return;
      const old = readInt(b, i, width, le);
      const mask = (1n << BigInt(width * 8)) - 1n;
      const v = how === 'add' ? old + BigInt(r.chance(0.5) ? 1 : -1) * BigInt(r.chance(0.8) ? r.between(1, 35) : r.pick([512, 4096, 65536])) : this.value(s, width, pointers);
      writeInt(b, i, width, le, ((v % (mask + 1n)) + mask + 1n) & mask);
    });
  }

  private value(s: Sample, width: number, pointers: readonly number[]): bigint {
    const r = this.rng;
    if (r.chance(0.4)) {
      // Values tied to this file: its size, a sector count, where kept data or a table starts.
      const anchors = [s.size, s.size - 512, s.size - 1536, ...s.extents.map((e) => e.at), ...pointers.slice(0, 16)];
      const a = r.pick(anchors);
      return BigInt(Math.max(0, r.chance(0.5) ? a : Math.floor(a / 512)));
    }
    if (width === 2) return BigInt(r.pick(INTERESTING_16));
    if (width === 4) return BigInt(r.pick(INTERESTING_32));
    return r.pick(INTERESTING_64);
  }

  /** Writes (or inserts) a format token: magic numbers, descriptor keywords... */
  private token(s: Sample, pointers: readonly number[]): Sample | null {
    if (this.dictionary.length === 0) return null;
    const t = this.rng.pick(this.dictionary);
    const at = this.offset(s, pointers);
    if (this.rng.chance(0.2)) return this.insertBytes(s, at, t);
    return this.poke(s, at, t.length, (b, i) => t.copy(b, i, 0, Math.min(t.length, b.length - i)));
  }

  /** Copies a run of bytes from one place of the file to another (e.g. a header over its copy). */
  private copy(s: Sample, pointers: readonly number[]): Sample | null {
    const from = this.offset(s, pointers);
    const bytes = Buffer.from(readAt(s, from, this.rng.logSize(4096)));
    const to = this.offset(s, pointers);
    return this.poke(s, to, bytes.length, (b, i) => bytes.copy(b, i, 0, Math.min(bytes.length, b.length - i)));
  }

  /** Crossover: bytes of another input at the same offsets (formats put the same things at the same places). */
  private splice(s: Sample, other: Sample): Sample | null {
    const e = other.extents.length > 0 ? this.rng.pick(other.extents) : null;
    if (!e) return null;
    const start = this.rng.below(e.data.length);
    const bytes = e.data.subarray(start, start + this.rng.logSize(e.data.length - start));
    return this.poke(s, e.at + start, bytes.length, (b, i) => bytes.copy(b, i, 0, Math.min(bytes.length, b.length - i)));
  }

  private fill(s: Sample, pointers: readonly number[]): Sample | null {
    const byte = this.rng.chance(0.5) ? 0 : this.rng.pick([0xff, this.rng.below(256)]);
    return this.poke(s, this.offset(s, pointers), this.rng.logSize(1024), (b, i) => b.fill(byte, i));
  }

  /** Inserts a copy of some bytes (or zeros): everything after moves, as in a real file. */
  private insert(s: Sample, pointers: readonly number[]): Sample | null {
    const length = this.rng.logSize(4096);
    const bytes = this.rng.chance(0.5) ? Buffer.alloc(length) : Buffer.from(readAt(s, this.offset(s, pointers), length));
    return this.insertBytes(s, this.offset(s, pointers), bytes);
  }

  private insertBytes(s: Sample, at: number, bytes: Buffer): Sample {
    const extents: Extent[] = [];
    let placed = false;
    for (const e of s.extents) {
      if (e.at + e.data.length < at) extents.push(e);
      else if (e.at >= at && !(e.at === at && !placed)) extents.push({ at: e.at + bytes.length, data: e.data });
      else {
        const cut = at - e.at;
        extents.push({ at: e.at, data: Buffer.concat([e.data.subarray(0, cut), bytes, e.data.subarray(cut)]) });
        placed = true;
      }
    }
    if (!placed) extents.push({ at, data: bytes });
    return normalize({ size: s.size + bytes.length, extents });
  }

  /** Deletes a run of bytes: everything after moves back. */
  private remove(s: Sample, pointers: readonly number[]): Sample | null {
    const at = this.offset(s, pointers);
    const n = Math.min(s.size - at, this.rng.logSize(4096));
    if (n <= 0) return null;
    const extents: Extent[] = [];
    for (const e of s.extents) {
      const end = e.at + e.data.length;
      if (e.at < at) extents.push({ at: e.at, data: e.data.subarray(0, Math.min(e.data.length, at - e.at)) });
      if (end > at + n) {
        const keepFrom = Math.max(e.at, at + n);
        extents.push({ at: keepFrom - n, data: e.data.subarray(keepFrom - e.at) });
      }
    }
    return normalize({ size: s.size - n, extents });
  }

  /** Cuts the file short: at a structure, a sector boundary, or a few bytes off the end. */
  private truncate(s: Sample, pointers: readonly number[]): Sample | null {
    const r = this.rng;
    const roll = r.below(3);
    const size = roll === 0 ? s.size - r.logSize(Math.max(1, s.size)) : roll === 1 ? this.offset(s, pointers) : s.size - 512 * r.between(1, 4);
    if (size < 0 || size >= s.size) return null;
    return normalize({ size, extents: s.extents });
  }

  /** Appends zeros, or opens a gap before the last extent (moving a footer further away). */
  private extend(s: Sample): Sample | null {
    const n = this.rng.chance(0.5) ? 512 * this.rng.logSize(4096) : this.rng.logSize(1 << 24);
    const last = s.extents[s.extents.length - 1];
    if (last && last.at > 0 && this.rng.chance(0.5)) {
      return { size: s.size + n, extents: [...s.extents.slice(0, -1), { at: last.at + n, data: last.data }] };
    }
    return { size: s.size + n, extents: s.extents };
  }

  /** Sets the file size to a value a field of the file suggests (a pointer, a sector count), give or take a sector. */
  private resize(s: Sample, pointers: readonly number[]): Sample | null {
    const r = this.rng;
    const base = pointers.length > 0 && r.chance(0.7) ? r.pick(pointers) : r.pick([2 ** 20, 2 ** 24, 2 ** 30, s.size]);
    const size = base + r.pick([0, 0, 512, -512, 1, -1, 1536]);
    if (size < 0 || size === s.size) return null;
    const last = s.extents[s.extents.length - 1];
    // Keep a footer (a last extent that ends the file) at the end of the resized file.
    if (last && last.at + last.data.length === s.size && last.at > 0 && r.chance(0.5)) {
      const at = size - last.data.length;
      const rest = s.extents.slice(0, -1);
      const prevEnd = rest.length > 0 ? rest[rest.length - 1]!.at + rest[rest.length - 1]!.data.length : 0;
      if (at >= prevEnd) return { size, extents: [...rest, { at, data: last.data }] };
    }
    return normalize({ size, extents: s.extents });
  }
}

function readInt(b: Buffer, i: number, width: number, le: boolean): bigint {
  if (width === 1) return BigInt(b[i]!);
  if (width === 2) return BigInt(le ? b.readUInt16LE(i) : b.readUInt16BE(i));
  if (width === 4) return BigInt(le ? b.readUInt32LE(i) : b.readUInt32BE(i));
  return le ? b.readBigUInt64LE(i) : b.readBigUInt64BE(i);
}

function writeInt(b: Buffer, i: number, width: number, le: boolean, v: bigint): void {
  if (width === 1) b[i] = Number(v);
  else if (width === 2) le ? b.writeUInt16LE(Number(v), i) : b.writeUInt16BE(Number(v), i);
  else if (width === 4) le ? b.writeUInt32LE(Number(v), i) : b.writeUInt32BE(Number(v), i);
  else le ? b.writeBigUInt64LE(v, i) : b.writeBigUInt64BE(v, i);
}
