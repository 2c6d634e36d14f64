/**
 * Formats recognised only to be refused: legacy disk formats qemu probes, LUKS, compressed and
 * archive containers, and Apple DMG (a trailer at the end).
 */
import { gzipSync } from 'node:zlib';
import { normalize, wholeSample } from '../engine/sample.js';
import type { Seed } from './seed.js';

function at0(...parts: (string | number[])[]): Buffer {
  const b = Buffer.alloc(512);
  Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : Buffer.from(p)))).copy(b);
  return b;
}

function tar(): Buffer {
  const b = Buffer.alloc(1024);
  b.write('disk.qcow2', 0, 'latin1');
  b.write('ustar\x0000', 257, 'latin1');
  return b;
}

function dmg(): Buffer {
  const b = Buffer.alloc(4096);
  const k = b.subarray(b.length - 512);
  k.write('koly', 0, 'latin1');
  k.writeUInt32BE(4, 4);
  k.writeUInt32BE(512, 8);
  return b;
}

const refused = (name: string, data: Buffer, reason = 'unsupported_format'): Seed => ({ name, sample: wholeSample(data), expect: `refused:${reason}` });

export function signatureSeeds(): Seed[] {
  return [
    refused('qed', at0('QED\0', [0, 0, 1, 0])),
    refused('parallels', at0('WithoutFreeSpace')),
    refused('ploop', at0('WithouFreSpacExt')),
    refused('bochs', at0('Bochs Virtual HD Image\0')),
    refused('cloop', at0('#!/bin/sh\n#V2.0 Format\n')),
    refused('luks', at0([0x4c, 0x55, 0x4b, 0x53, 0xba, 0xbe, 0, 2]), 'encrypted'),
    refused('gzip', gzipSync(Buffer.alloc(4096))),
    refused('xz', at0([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00])),
    refused('zstd', at0([0x28, 0xb5, 0x2f, 0xfd])),
    refused('zstd-skippable', at0([0x5a, 0x2a, 0x4d, 0x18])),
    refused('bzip2', at0('BZh9', [0x31, 0x41, 0x59, 0x26, 0x53, 0x59])),
    refused('lz4', at0([0x04, 0x22, 0x4d, 0x18])),
    refused('7z', at0([0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c])),
    refused('zip', at0('PK\x03\x04')),
    refused('tar', tar()),
    { name: 'dmg', sample: normalize({ size: 1 << 20, extents: [{ at: (1 << 20) - 4096, data: dmg() }] }), expect: 'refused:unsupported_format' },
  ];
}
