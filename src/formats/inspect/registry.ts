/**
 * Every inspector, in priority order. The order decides which refusal is reported when several
 * apply, and lets a refusal be final early: an inspector's refusal stands once every inspector
 * before it has settled. So the ones that decide from the first bytes come first, and the ones
 * that need the end of the file (footers) come last.
 */
import { compressedInspector } from './compressed.inspector.js';
import { dmgInspector } from './dmg.inspector.js';
import { isoInspector } from './iso.inspector.js';
import { legacyInspector } from './legacy.inspector.js';
import { luksInspector } from './luks.inspector.js';
import { partitionTableInspector } from './partition.inspector.js';
import { qcow2Inspector } from './qcow2.inspector.js';
import type { Inspector } from './task.js';
import { vdiInspector } from './vdi.inspector.js';
import { vhdInspector } from './vhd.inspector.js';
import { vhdxInspector } from './vhdx.inspector.js';
import { vmdkInspector } from './vmdk.inspector.js';

export const INSPECTORS: readonly Inspector[] = [
  qcow2Inspector, // also qcow v1
  legacyInspector, // qed, parallels, bochs, cloop
  luksInspector,
  compressedInspector, // gzip, xz, zstd, bzip2, lz4, 7z, zip, tar
  vmdkInspector,
  vhdxInspector,
  vdiInspector, // signature at 0x40
  isoInspector, // descriptors from 0x8000
  partitionTableInspector, // MBR/GPT: never refuses
  vhdInspector, // dynamic from offset 0, fixed from the footer at EOF
  dmgInspector, // trailer at EOF
];
