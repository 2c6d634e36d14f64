/**
 * VHDX on-disk constants ([MS-VHDX] 2.2-2.6). Little-endian throughout; GUIDs are stored with
 * their first three fields little-endian.
 */
export const KIB = 1024;
export const MIB = 1024 * 1024;
export const VHDX_SIGNATURE = 'vhdxfile';
export const HEADER_OFFSETS = [64 * KIB, 128 * KIB] as const;
export const HEADER_SIZE = 4 * KIB;
export const REGION_TABLE_OFFSETS = [192 * KIB, 256 * KIB] as const;
export const REGION_TABLE_SIZE = 64 * KIB;
export const METADATA_TABLE_SIZE = 64 * KIB;
export const HEADER_SIGNATURE = 'head';
export const REGION_SIGNATURE = 'regi';
export const METADATA_SIGNATURE = 'metadata';

export const BAT_REGION = '2DC27766-F623-4200-9D64-115E9BFD4A08';
export const METADATA_REGION = '8B7CA206-4790-4B9A-B8FE-575F050F886E';
export const FILE_PARAMETERS = 'CAA16737-FA36-4D43-B3B6-33F0AA44E76B';
export const VIRTUAL_DISK_SIZE = '2FA54224-CD1B-4876-B211-5DBED83BF4B8';
export const PAGE83_DATA = 'BECA12AB-B2E6-4523-93EF-C309E000C746';
export const LOGICAL_SECTOR_SIZE = '8141BF1D-A96F-4709-BA47-F233A8FAAB5F';
export const PHYSICAL_SECTOR_SIZE = 'CDA348C7-445D-4471-9CC9-E9885251C556';
export const PARENT_LOCATOR = 'A8D35F2D-B30B-454D-ABF7-D3D84834AB0C';

/** BAT payload block states (2.5.1.1). */
export const PAYLOAD_NOT_PRESENT = 0;
export const PAYLOAD_UNDEFINED = 1;
export const PAYLOAD_ZERO = 2;
export const PAYLOAD_UNMAPPED = 3;
export const PAYLOAD_FULLY_PRESENT = 6;
export const PAYLOAD_PARTIALLY_PRESENT = 7;

/** File parameters flag: the disk is a differencing disk. */
export const HAS_PARENT = 2;

/** Metadata entry flags. */
export const META_IS_VIRTUAL_DISK = 2;
export const META_IS_REQUIRED = 4;

export function guidBytes(guid: string): Buffer {
  const hex = guid.replace(/-/g, '');
  const b = Buffer.from(hex, 'hex');
  // Data1 (u32), Data2 (u16), Data3 (u16) are little-endian on disk; Data4 is a byte array.
  b.subarray(0, 4).reverse();
  b.subarray(4, 6).reverse();
  b.subarray(6, 8).reverse();
  return b;
}

export { guidString } from '../inspect/bytes.js';

/** Payload blocks are interleaved with one sector-bitmap entry per chunk (2.5.1). */
export function chunkRatio(blockSize: number, logicalSectorSize: number): number {
  return (2 ** 23 * logicalSectorSize) / blockSize;
}

export function batIndex(payloadBlock: number, ratio: number): number {
  return payloadBlock + Math.floor(payloadBlock / ratio);
}

export function batEntries(payloadBlocks: number, ratio: number): number {
  return payloadBlocks === 0 ? 0 : payloadBlocks + Math.floor((payloadBlocks - 1) / ratio);
}
