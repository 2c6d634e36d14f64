/** CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), which VHDX uses for every checksum. */
const TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

export function crc32c(data: Uint8Array): number {
  let crc = 0xffffffff;
  for (let i = 0; i < data.length; i++) crc = TABLE[(crc ^ data[i]!) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

/** CRC-32C of `data` computed as if the u32 at `at` were zero (how VHDX defines its checksums). */
export function crc32cWithHole(data: Buffer, at: number): number {
  const copy = Buffer.from(data);
  copy.writeUInt32LE(0, at);
  return crc32c(copy);
}
