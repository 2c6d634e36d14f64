/**
 * Tokens the inspectors compare against: magic numbers and signatures, VMDK descriptor keywords
 * and extent lines, qcow2 header extension types, VHDX GUIDs. Random edits almost never spell
 * them; written whole they open the parsers' deeper paths (AFL's dictionaries do the same).
 */
import { guidBytes } from '../seeds/vhdx.seeds.js';

const text = (s: string) => Buffer.from(s, 'latin1');
const bytes = (...b: number[]) => Buffer.from(b);
const u32be = (v: number) => { const b = Buffer.alloc(4); b.writeUInt32BE(v); return b; };

export const INSPECT_DICTIONARY: readonly Buffer[] = [
  // Magic numbers and signatures.
  bytes(0x51, 0x46, 0x49, 0xfb), text('KDMV'), text('COWD'), text('conectix'), text('cxsparse'), text('vhdxfile'), text('head'),
  text('regi'), text('metadata'), bytes(0x7f, 0x10, 0xda, 0xbe), text('CD001'), text('BEA01'), text('NSR02'), text('NSR03'), text('TEA01'),
  text('EFI PART'), bytes(0x55, 0xaa), text('koly'), text('QED\0'), text('WithoutFreeSpace'), text('WithouFreSpacExt'),
  text('Bochs Virtual HD Image'), text('#!/bin/sh\n#V2.0 Format\n'), bytes(0x4c, 0x55, 0x4b, 0x53, 0xba, 0xbe), bytes(0x1f, 0x8b, 0x08),
  bytes(0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00), bytes(0x28, 0xb5, 0x2f, 0xfd), text('BZh9'), text('PK\x03\x04'), text('ustar'), text('\n \r\n'),
  // qcow2 header extension types.
  u32be(0xe2792aca), u32be(0x6803f857), u32be(0x23852875), u32be(0x0537be77), u32be(0x44415441),
  // VMDK descriptor.
  text('# Disk DescriptorFile\n'), text('version=1\n'), text('createType="monolithicSparse"\n'), text('createType="streamOptimized"\n'),
  text('createType="monolithicFlat"\n'), text('RW 2048 SPARSE "a.vmdk"\n'), text('RW 2048 FLAT "/etc/passwd" 0\n'), text('RDONLY 2048 ZERO\n'),
  text('NOACCESS 2048 SPARSE "a.vmdk"\n'), text('parentFileNameHint="/etc/passwd"\n'), text('parentCID=12345678\n'), text('parentCID=ffffffff\n'),
  text('ddb.adapterType = "ide"\n'), text('CID=fffffffe\n'), text('json:{'), text('nbd://'),
  // VHDX region and metadata item GUIDs.
  ...[
    '2DC27766-F623-4200-9D64-115E9BFD4A08', '8B7CA206-4790-4B9A-B8FE-575F050F886E', 'CAA16737-FA36-4D43-B3B6-33F0AA44E76B',
    '2FA54224-CD1B-4876-B211-5DBED83BF4B8', 'BECA12AB-B2E6-4523-93EF-C309E000C746', '8141BF1D-A96F-4709-BA47-F233A8FAAB5F',
    'CDA348C7-445D-4471-9CC9-E9885251C556', 'A8D35F2D-B30B-454D-ABF7-D3D84834AB0C',
  ].map(guidBytes),
];
