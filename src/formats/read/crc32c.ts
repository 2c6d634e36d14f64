/** CRC-32C for the VHDX reader and writer (the implementation is shared in ../crc.ts). */
import { crc32c, crcWithHole } from '../crc.js';

export { crc32c };

/** CRC-32C of `data` computed as if the u32 at `at` were zero (how VHDX defines its checksums). */
export function crc32cWithHole(data: Buffer, at: number): number {
  return crcWithHole(crc32c, data, at);
}
