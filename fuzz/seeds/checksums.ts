/**
 * The checksums the formats protect their headers with, for building seeds and for repairing
 * them after mutations. The fuzzer has its own copies: calling the inspectors' helpers from the
 * harness would count as coverage of the code under test.
 */

function table(poly: number): Uint32Array {
  const t = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ poly : c >>> 1;
    t[i] = c >>> 0;
  }
  return t;
}

const IEEE = table(0xedb88320);
const CASTAGNOLI = table(0x82f63b78);

function crc(t: Uint32Array, buf: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < buf.length; i++) c = t[(c ^ buf[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** CRC-32 (GPT). */
export const crc32 = (buf: Uint8Array): number => crc(IEEE, buf);

/** CRC-32C (VHDX). */
export const crc32c = (buf: Uint8Array): number => crc(CASTAGNOLI, buf);

/** Stores `fn` of `buf` (with the 4-byte field at `at` zeroed first) into that field, little-endian. */
export function sealLE(buf: Buffer, at: number, fn: (b: Uint8Array) => number): void {
  buf.writeUInt32LE(0, at);
  buf.writeUInt32LE(fn(buf), at);
}

/** The VHD checksum (one's complement of the byte sum, field zeroed), stored big-endian at `at`. */
export function sealVhd(buf: Buffer, at: number): void {
  buf.writeUInt32BE(0, at);
  let sum = 0;
  for (const b of buf) sum += b;
  buf.writeUInt32BE(~sum >>> 0, at);
}
