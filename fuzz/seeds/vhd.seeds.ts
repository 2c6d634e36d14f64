/**
 * VHD seeds: a fixed disk (data, then the footer; built with the test suite's footer helper) and a
 * dynamic disk (footer copy, dynamic header, block allocation table, one allocated block, footer).
 */
import { vhdFooter } from '../../test/formats/support/images.js';
import { normalize } from '../engine/sample.js';
import type { Sample } from '../engine/sample.js';
import { sealVhd } from './checksums.js';
import type { Seed } from './seed.js';

const MiB = 1 << 20;
const BLOCK = 2 * MiB;

function fixed(): Sample {
  const size = 4 * MiB;
  return normalize({ size: size + 512, extents: [{ at: size, data: vhdFooter(size, { creator: 'qemu' }) }] });
}

function dynamic(parentName: string | null): Sample {
  const virtualSize = 4 * MiB;
  const footer = vhdFooter(virtualSize, { type: parentName === null ? 3 : 4, creator: 'win ' });
  // 0: footer copy, 512: dynamic header (1024 bytes), 1536: BAT (2 entries, padded to a sector), 2048: block 0.
  const meta = Buffer.alloc(2048 + 512);
  footer.copy(meta, 0);
  const dh = meta.subarray(512, 1536);
  dh.write('cxsparse', 0, 'latin1');
  dh.writeBigUInt64BE(0xffffffffffffffffn, 8);
  dh.writeBigUInt64BE(1536n, 16); // table offset
  dh.writeUInt32BE(0x00010000, 24);
  dh.writeUInt32BE(virtualSize / BLOCK, 28); // max table entries
  dh.writeUInt32BE(BLOCK, 32);
  if (parentName !== null) Buffer.from(parentName, 'utf16le').swap16().copy(dh, 64);
  sealVhd(dh, 36);
  meta.fill(0xff, 1536, 2048);
  meta.writeUInt32BE(2048 / 512, 1536); // block 0 at sector 4: its bitmap, then its data
  meta.fill(0xff, 2048, 2048 + 512); // sector bitmap: all sectors present
  const size = 2048 + 512 + BLOCK + 512;
  return normalize({ size, extents: [{ at: 0, data: meta }, { at: size - 512, data: footer }] });
}

export function vhdSeeds(): Seed[] {
  return [
    { name: 'vhd-fixed', sample: fixed(), expect: 'vhd' },
    { name: 'vhd-dynamic', sample: dynamic(null), expect: 'vhd' },
    { name: 'vhd-differencing', sample: dynamic('C:\\parent.vhd'), expect: 'refused:backing_file' },
  ];
}
