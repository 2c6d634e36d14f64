/** Formats recognised only to be refused, and the ISO detector. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { iso, qcow2 } from '../../../test/formats/support/images.js';
import { assertAccepted, assertRefused, inspectBytesBoth } from '../../../test/formats/support/inspect.js';

const sector = (magic: Buffer | string, at = 0, size = 64 * 1024) => {
  const b = Buffer.alloc(size, 0x20);
  (typeof magic === 'string' ? Buffer.from(magic, 'latin1') : magic).copy(b, at);
  return b;
};

describe('refused formats', () => {
  const cases: [string, Buffer][] = [
    ['qed', sector('QED\0')],
    ['parallels', sector('WithoutFreeSpace\x02\0\0\0')],
    ['parallels', sector('WithouFreSpacExt')],
    ['bochs', sector('Bochs Virtual HD Image\0')],
    ['cloop', sector('#!/bin/sh\n#V2.0 Format\nmodprobe cloop file=$0 && mount -r -t iso9660 /dev/cloop $1\n')],
    ['gzip', gzipSync(qcow2().buf)],
    ['xz', sector(Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00, 0x00, 0x04]))],
    ['zstd', sector(Buffer.from([0x28, 0xb5, 0x2f, 0xfd]))],
    ['zstd', sector(Buffer.from([0x5e, 0x2a, 0x4d, 0x18]))],
    ['bzip2', sector('BZh91AY&SY')],
    ['lz4', sector(Buffer.from([0x04, 0x22, 0x4d, 0x18]))],
    ['7z', sector(Buffer.from([0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c]))],
    ['zip', sector('PK\x03\x04')],
    ['tar', sector('ustar\x0000', 257)],
    ['dmg', Buffer.concat([Buffer.alloc(8192), Buffer.from('koly\0\0\0\x04\0\0\x02\0', 'latin1'), Buffer.alloc(500)])],
  ];
  for (const [format, bytes] of cases) {
    it(`refuses ${format}`, async () => {
      const v = await inspectBytesBoth(bytes);
      assertRefused(v, 'unsupported_format');
      assert.equal(!v.ok && v.format, format);
      assertRefused(await inspectBytesBoth(bytes, { declaredFormat: 'raw' }), ['unsupported_format', 'format_mismatch']);
    });
  }

  it('refuses LUKS as encrypted, or unsupported when encryption is allowed', async () => {
    const luks = sector(Buffer.from([0x4c, 0x55, 0x4b, 0x53, 0xba, 0xbe, 0, 1]));
    assertRefused(await inspectBytesBoth(luks), 'encrypted');
    assertRefused(await inspectBytesBoth(luks, { allowEncrypted: true }), 'unsupported_format');
  });

  it('refuses VMDK3 (COWD)', async () => {
    assertRefused(await inspectBytesBoth(sector('COWD\x01\0\0\0')), 'unsupported_format');
  });
});

describe('ISO 9660', () => {
  it('accepts a volume and sizes it as the file', async () => {
    const v = await inspectBytesBoth(Buffer.concat([iso(20), Buffer.alloc(4096)]));
    assertAccepted(v, 'iso', 20 * 2048 + 4096);
    assert.equal(v.ok && v.details.volumeSize, 20 * 2048);
  });

  it('refuses a file shorter than its volume, and an inconsistent primary descriptor', async () => {
    assertRefused(await inspectBytesBoth(iso(40).subarray(0, 30 * 2048)), 'truncated');
    const bad = iso(20);
    bad.writeUInt32BE(99, 0x8000 + 84);
    assertRefused(await inspectBytesBoth(bad), 'invalid_header');
  });
});
