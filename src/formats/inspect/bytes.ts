/** Binary helpers shared by the inspectors: integer fields, checksums, safe quoting. */
import { OFFSET_CLAMP, refuse } from './task.js';

/** Unsigned 64-bit field as a bigint (virtual sizes up to 2^64 must compare exactly). */
export function u64(buf: Buffer, at: number, le = false): bigint {
  return le ? buf.readBigUInt64LE(at) : buf.readBigUInt64BE(at);
}

/** Unsigned 64-bit offset or length as a number, clamped to OFFSET_CLAMP (beyond any real file). */
export function off64(buf: Buffer, at: number, le = false): number {
  const v = u64(buf, at, le);
  return v > BigInt(OFFSET_CLAMP) ? OFFSET_CLAMP : Number(v);
}

/** A bigint size as a number for the verdict; exact up to 2^53, which covers every accepted size. */
export function sizeNumber(v: bigint): number {
  return Number(v);
}

export function startsWith(buf: Buffer, at: number, magic: Buffer | string): boolean {
  const m = typeof magic === 'string' ? Buffer.from(magic, 'latin1') : magic;
  return buf.length >= at + m.length && buf.subarray(at, at + m.length).equals(m);
}

export function isZero(buf: Buffer): boolean {
  for (let i = 0; i < buf.length; i++) if (buf[i] !== 0) return false;
  return true;
}

export function isPowerOfTwo(n: number): boolean {
  if (!Number.isSafeInteger(n) || n <= 0) return false;
  const b = BigInt(n);
  return (b & (b - 1n)) === 0n;
}

/** Refuses as truncated when fewer than `n` bytes arrived. */
export function need(buf: Buffer, n: number, what: string): void {
  if (buf.length < n) refuse('truncated', `the file ends inside the ${what} (${buf.length} of ${n} bytes present)`);
}

/** Refuses as truncated when a structure [offset, offset+length) ends after the file. */
export function within(size: number, offset: number, length: number, what: string): void {
  if (offset + length > size) {
    refuse('truncated', `the ${what} (bytes ${offset}..${offset + length}) extends beyond the end of the ${size}-byte file`);
  }
}

export { crc32, crc32c, crcWithHole } from '../crc.js';

/** Microsoft mixed-endian GUID text (first three fields little-endian). */
export function guidString(buf: Buffer, at = 0): string {
  const h = buf.subarray(at, at + 16).toString('hex');
  const le = (s: string) => s.match(/../g)!.reverse().join('');
  return `${le(h.slice(0, 8))}-${le(h.slice(8, 12))}-${le(h.slice(12, 16))}-${h.slice(16, 20)}-${h.slice(20)}`.toUpperCase();
}

/**
 * Quotes text taken from an image for a message: printable ASCII only, bounded length.
 * Image content is attacker-controlled and ends up in logs and API responses.
 */
export function quote(text: string, max = 160): string {
  let out = '';
  for (const ch of text) {
    if (out.length >= max) return `"${out}…"`;
    const c = ch.codePointAt(0)!;
    if (ch === '"' || ch === '\\') out += `\\${ch}`;
    else out += c >= 0x20 && c < 0x7f ? ch : c <= 0xffff ? `\\u${c.toString(16).padStart(4, '0')}` : '?';
  }
  return `"${out}"`;
}

/** Says what kind of name a backing/parent reference is, for messages (qemu filename syntax). */
export function describeReference(name: string): string {
  if (name.startsWith('json:')) return 'a json: pseudo-protocol name that can select any qemu driver';
  if (/^[a-z][a-z0-9+.-]*:/i.test(name) && !/^[a-z]:[\\/]/i.test(name)) return 'a protocol URL (network access: SSRF)';
  if (name.startsWith('/') || /^[a-z]:[\\/]/i.test(name) || name.startsWith('\\\\')) return 'an absolute host path';
  return 'a path relative to the image (another upload next to it)';
}
