/**
 * Raw layouts: MBR and GPT partition tables, ISO 9660 (plain and hybrid with an MBR), UDF, and
 * plain raw content. The MBR and ISO builders are the test suite's.
 */
import { iso, mbr } from '../../test/formats/support/images.js';
import { normalize, wholeSample } from '../engine/sample.js';
import type { Sample } from '../engine/sample.js';
import { crc32, sealLE } from './checksums.js';
import { guidBytes } from './vhdx.seeds.js';
import type { Seed } from './seed.js';

const MiB = 1 << 20;
const LINUX_FS = '0FC63DAF-8483-4772-8E79-3D69D8477DE4';

/** Protective MBR, GPT header at LBA 1, 128 entries from LBA 2 (one partition), sizes in sectors. */
function gpt(): Sample {
  const sectors = 16 * MiB / 512;
  const head = Buffer.alloc(34 * 512);
  mbr([[0xee, 1, sectors - 1]]).copy(head, 0);
  const entries = head.subarray(1024, 1024 + 128 * 128);
  guidBytes(LINUX_FS).copy(entries, 0);
  entries.fill(0x44, 16, 32);
  entries.writeBigUInt64LE(2048n, 32);
  entries.writeBigUInt64LE(BigInt(sectors - 34), 40);
  const h = head.subarray(512, 1024);
  h.write('EFI PART', 0, 'latin1');
  h.writeUInt32LE(0x00010000, 8);
  h.writeUInt32LE(92, 12);
  h.writeBigUInt64LE(1n, 24);
  h.writeBigUInt64LE(BigInt(sectors - 1), 32);
  h.writeBigUInt64LE(34n, 40);
  h.writeBigUInt64LE(BigInt(sectors - 34), 48);
  h.fill(0x55, 56, 72);
  h.writeBigUInt64LE(2n, 72);
  h.writeUInt32LE(128, 80);
  h.writeUInt32LE(128, 84);
  h.writeUInt32LE(crc32(entries), 88);
  sealLE(h.subarray(0, 92), 16, crc32);
  return normalize({ size: sectors * 512, extents: [{ at: 0, data: head }] });
}

function udf(): Buffer {
  const b = Buffer.alloc(0x8000 + 3 * 2048);
  ['BEA01', 'NSR02', 'TEA01'].forEach((id, i) => {
    b[0x8000 + i * 2048] = 0;
    b.write(id, 0x8000 + i * 2048 + 1, 'latin1');
    b[0x8000 + i * 2048 + 6] = 1;
  });
  return b;
}

export function rawLayoutSeeds(): Seed[] {
  return [
    { name: 'raw-mbr', sample: normalize({ size: 8 * MiB, extents: [{ at: 0, data: mbr([[0x83, 2048, 8192], [0x82, 10240, 4096]], true) }] }), expect: 'raw' },
    { name: 'raw-gpt', sample: gpt(), expect: 'raw' },
    { name: 'iso', sample: wholeSample(iso()), expect: 'iso' },
    { name: 'iso-hybrid-mbr', sample: wholeSample(iso(40, mbr([[0x17, 0, 80]], true))), expect: 'iso' },
    { name: 'udf', sample: wholeSample(udf()), expect: 'iso' },
    { name: 'raw-text', sample: wholeSample(Buffer.from('hello, world\n'.repeat(40))), expect: 'raw' },
    { name: 'empty', sample: wholeSample(Buffer.alloc(0)), expect: 'raw' },
  ];
}
