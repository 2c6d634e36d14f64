/**
 * The CRCs disk formats protect their headers with: CRC-32 (IEEE 802.3, GPT headers and
 * partition arrays, UEFI 2.10 §5.3.2) and CRC-32C (Castagnoli, every VHDX checksum,
 * MS-VHDX §2.2). Shared by the inspectors and the readers and writers.
 */
function crcTable(poly: number): Uint32Array {
  const t = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ poly : c >>> 1;
    t[i] = c >>> 0;
  }
  return t;
}
const CRC32_TABLE = crcTable(0xedb88320);
const CRC32C_TABLE = crcTable(0x82f63b78);

function crc(table: Uint32Array, buf: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < buf.length; i++) c = table[(c ^ buf[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

export function crc32(buf: Uint8Array): number {
  return crc(CRC32_TABLE, buf);
}

export function crc32c(buf: Uint8Array): number {
  return crc(CRC32C_TABLE, buf);
}

/** Checksum of `buf` with the 4-byte field at `at` treated as zero (how GPT and VHDX define theirs). */
export function crcWithHole(fn: (b: Uint8Array) => number, buf: Uint8Array, at: number): number {
  const copy = Buffer.from(buf);
  copy.fill(0, at, at + 4);
  return fn(copy);
}
