/**
 * Checksum repair after a mutation: VHD footers and dynamic headers, VHDX headers and region
 * tables, GPT headers and partition arrays carry checksums that almost every random edit breaks,
 * which would stop the fuzzer at the checksum test. The engine repairs half of the children, so
 * that both sides of every checksum test are explored.
 */
import type { Sample } from '../engine/sample.js';
import { crc32, crc32c, sealLE, sealVhd } from '../seeds/checksums.js';

const KiB = 1024;

/** The bytes [at, at + length) if one extent holds them all (repairs never create data). */
function kept(s: Sample, at: number, length: number): Buffer | null {
  if (at < 0 || length <= 0) return null;
  const e = s.extents.find((x) => x.at <= at && at + length <= x.at + x.data.length);
  return e ? e.data.subarray(at - e.at, at - e.at + length) : null;
}

function has(b: Buffer | null, magic: string): b is Buffer {
  return b !== null && b.toString('latin1', 0, magic.length) === magic;
}

function vhd(s: Sample): void {
  const copy = kept(s, 0, 512);
  if (has(copy, 'conectix')) {
    const dataOffset = Number(copy.readBigUInt64BE(16));
    const dh = Number.isSafeInteger(dataOffset) ? kept(s, dataOffset, 1024) : null;
    if (has(dh, 'cxsparse')) sealVhd(dh, 36);
    sealVhd(copy, 64);
  }
  const footer = kept(s, s.size - 512, 512);
  if (has(footer, 'conectix')) sealVhd(footer, 64);
}

function vhdx(s: Sample): void {
  for (const at of [64 * KiB, 128 * KiB]) {
    const h = kept(s, at, 4 * KiB);
    if (has(h, 'head')) sealLE(h, 4, crc32c);
  }
  for (const at of [192 * KiB, 256 * KiB]) {
    const t = kept(s, at, 64 * KiB);
    if (has(t, 'regi')) sealLE(t, 4, crc32c);
  }
}

function gpt(s: Sample): void {
  for (const sector of [512, 4096]) {
    const h = kept(s, sector, 512);
    if (!has(h, 'EFI PART')) continue;
    const entriesAt = Number(h.readBigUInt64LE(72)) * sector;
    const entries = kept(s, entriesAt, h.readUInt32LE(80) * h.readUInt32LE(84));
    if (entries && entries.length <= 1 << 20) h.writeUInt32LE(crc32(entries), 88);
    const size = h.readUInt32LE(12);
    if (size >= 92 && size <= 512) sealLE(h.subarray(0, size), 16, crc32);
  }
}

export function repairChecksums(s: Sample): void {
  vhd(s);
  vhdx(s);
  gpt(s);
}
