/** A VirtualBox VDI seed (qemu block/vdi.c VdiHeader): dynamic, 4 blocks, two allocated. */
import { normalize } from '../engine/sample.js';
import type { Sample } from '../engine/sample.js';
import type { Seed } from './seed.js';

const MiB = 1 << 20;

function vdi(type: number): Sample {
  const h = Buffer.alloc(1024);
  h.write('<<< Oracle VM VirtualBox Disk Image >>>\n', 0, 'latin1');
  h.writeUInt32LE(0xbeda107f, 0x40);
  h.writeUInt32LE(0x00010001, 0x44);
  h.writeUInt32LE(0x190, 0x48); // header size
  h.writeUInt32LE(type, 0x4c);
  h.writeUInt32LE(512, 0x154); // block map
  h.writeUInt32LE(1024, 0x158); // data
  h.writeUInt32LE(512, 0x168); // sector size
  h.writeBigUInt64LE(BigInt(4 * MiB), 0x170);
  h.writeUInt32LE(MiB, 0x178);
  h.writeUInt32LE(4, 0x180); // blocks
  h.writeUInt32LE(2, 0x184); // allocated
  h.fill(0x33, 0x188, 0x1a8); // image and last-snapshot UUIDs
  [0, 0xffffffff, 1, 0xfffffffe].forEach((v, i) => h.writeUInt32LE(v, 512 + 4 * i));
  return normalize({ size: 1024 + 2 * MiB, extents: [{ at: 0, data: h }] });
}

export function vdiSeeds(): Seed[] {
  return [
    { name: 'vdi-dynamic', sample: vdi(1), expect: 'vdi' },
    { name: 'vdi-differencing', sample: vdi(4), expect: 'refused:backing_file' },
  ];
}
