/**
 * VMDK seeds (VMware "Virtual Disk Format 1.1"): a monolithicSparse extent with its embedded
 * descriptor, redundant and primary grain directories and one allocated grain; a
 * streamOptimized one with the grain directory at the end (footer and end-of-stream markers);
 * a text descriptor naming a flat extent; a VMDK3 "COWD" header.
 */
import { normalize, wholeSample } from '../engine/sample.js';
import type { Sample } from '../engine/sample.js';
import type { Seed } from './seed.js';

const SECTOR = 512;
const CAPACITY = 2048; // sectors: 1 MiB
const GRAIN = 128; // sectors: 64 KiB
const DESC_SECTORS = 20;

function descriptor(createType: string, extent: string): Buffer {
  return Buffer.from([
    '# Disk DescriptorFile', 'version=1', 'CID=fffffffe', 'parentCID=ffffffff', `createType="${createType}"`, '',
    '# Extent description', extent, '', '# The Disk Data Base', '#DDB', '',
    'ddb.virtualHWVersion = "4"', 'ddb.geometry.cylinders = "2"', 'ddb.geometry.heads = "16"', 'ddb.geometry.sectors = "63"',
    'ddb.adapterType = "ide"', '',
  ].join('\n'), 'latin1');
}

/** The sparse extent header; `gd` is the grain directory sector (or all ones: at the end). */
function header(flags: number, gd: bigint, rgd: bigint, compress: number): Buffer {
  const h = Buffer.alloc(SECTOR);
  h.write('KDMV', 0, 'latin1');
  h.writeUInt32LE(compress ? 3 : 1, 4);
  h.writeUInt32LE(flags, 8);
  h.writeBigUInt64LE(BigInt(CAPACITY), 12);
  h.writeBigUInt64LE(BigInt(GRAIN), 20);
  h.writeBigUInt64LE(1n, 28); // descriptor at sector 1
  h.writeBigUInt64LE(BigInt(DESC_SECTORS), 36);
  h.writeUInt32LE(512, 44); // grain table entries
  h.writeBigUInt64LE(rgd, 48);
  h.writeBigUInt64LE(gd, 56);
  h.writeBigUInt64LE(BigInt(GRAIN), 64); // overhead: metadata fits before the first grain
  h.write('\n \r\n', 73, 'latin1');
  h.writeUInt16LE(compress, 77);
  return h;
}

function monolithicSparse(): Sample {
  // Sectors: 0 header, 1-20 descriptor, 21 redundant GD, 22-25 redundant GT, 26 GD, 27-30 GT, 128- grain 0.
  const meta = Buffer.alloc(31 * SECTOR);
  header(1 | 2, 26n, 21n, 0).copy(meta, 0);
  descriptor('monolithicSparse', `RW ${CAPACITY} SPARSE "seed.vmdk"`).copy(meta, SECTOR);
  for (const [gd, gt] of [[21, 22], [26, 27]] as const) {
    meta.writeUInt32LE(gt, gd * SECTOR);
    meta.writeUInt32LE(GRAIN, gt * SECTOR); // grain 0 allocated at sector 128
  }
  const grain = Buffer.alloc(GRAIN * SECTOR, 0x5a);
  return normalize({ size: 2 * GRAIN * SECTOR, extents: [{ at: 0, data: meta }, { at: GRAIN * SECTOR, data: grain }] });
}

function streamOptimized(): Sample {
  // Sectors: 0 header (GD at end), 1-20 descriptor, 21 GD (no grain tables), 22 footer marker, 23 footer, 24 end-of-stream.
  const b = Buffer.alloc(25 * SECTOR);
  const flags = 1 | (1 << 16) | (1 << 17);
  header(flags, 0xffffffffffffffffn, 0n, 1).copy(b, 0);
  descriptor('streamOptimized', `RW ${CAPACITY} SPARSE "seed.vmdk"`).copy(b, SECTOR);
  b.writeBigUInt64LE(1n, 22 * SECTOR); // marker value: one sector of footer
  b.writeUInt32LE(3, 22 * SECTOR + 12); // MARKER_FOOTER
  header(flags, 21n, 0n, 1).copy(b, 23 * SECTOR);
  return wholeSample(b);
}

export function vmdkSeeds(): Seed[] {
  const cowd = Buffer.alloc(SECTOR);
  cowd.write('COWD', 0, 'latin1');
  return [
    { name: 'vmdk-monolithicSparse', sample: monolithicSparse(), expect: 'vmdk' },
    { name: 'vmdk-streamOptimized', sample: streamOptimized(), expect: 'vmdk' },
    { name: 'vmdk-descriptor', sample: wholeSample(descriptor('monolithicFlat', `RW ${CAPACITY} FLAT "disk-flat.vmdk" 0`)), expect: 'refused:vmdk_extent_outside' },
    { name: 'vmdk-cowd', sample: wholeSample(cowd), expect: 'refused:unsupported_format' },
  ];
}
