import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InvalidImageDataError } from '../../domain/errors.js';
import { chsGeometry, vhdFooter, vhdSize } from '../write/vhd-footer.js';
import { parseVhdFooter, vhdChecksum, vhdVirtualSize, VHD_FOOTER_CHECKSUM_AT, VHD_TYPE_FIXED } from './vhd-footer.js';

test('convert/vhd checksum: one\'s complement of the byte sum, checksum field excluded', () => {
  const buf = Buffer.alloc(512);
  buf[0] = 1;
  buf[100] = 2;
  buf.writeUInt32BE(0xdeadbeef, VHD_FOOTER_CHECKSUM_AT); // ignored
  assert.equal(vhdChecksum(buf, VHD_FOOTER_CHECKSUM_AT), ~3 >>> 0);
});

test('convert/vhd footer: written footers parse back, and corruption is caught', () => {
  const footer = vhdFooter({ size: 16 * 1024 * 1024, diskType: VHD_TYPE_FIXED, now: new Date('2024-01-01T00:00:00Z') });
  const parsed = parseVhdFooter(footer);
  assert.equal(parsed.diskType, VHD_TYPE_FIXED);
  assert.equal(parsed.creatorApp, 'win ');
  assert.equal(vhdVirtualSize(parsed), 16 * 1024 * 1024);
  assert.equal(footer.readUInt32BE(24), 757382400); // seconds since 2000-01-01
  footer.writeUInt8(footer.readUInt8(100) ^ 1, 100);
  assert.throws(() => parseVhdFooter(footer), InvalidImageDataError);
});

test('convert/vhd size: qemu uses CHS unless the creator is known to use current_size', () => {
  const footer = vhdFooter({ size: 10 * 1024 * 1024, diskType: VHD_TYPE_FIXED });
  footer.write('vpc ', 28, 'latin1');
  footer.writeUInt32BE(vhdChecksum(footer, VHD_FOOTER_CHECKSUM_AT), VHD_FOOTER_CHECKSUM_AT);
  const { cylinders, heads, sectorsPerTrack } = chsGeometry(10 * 1024 * 1024);
  assert.equal(vhdVirtualSize(parseVhdFooter(footer)), cylinders * heads * sectorsPerTrack * 512);
});

test('convert/vhd geometry follows the specification appendix', () => {
  assert.deepEqual(chsGeometry(16 * 1024 * 1024), { cylinders: 481, heads: 4, sectorsPerTrack: 17 });
  assert.deepEqual(chsGeometry(128 * 1024 ** 3), { cylinders: 65535, heads: 16, sectorsPerTrack: 255 });
  assert.deepEqual(chsGeometry(2 * 1024 ** 3), { cylinders: 4161, heads: 16, sectorsPerTrack: 63 });
});

test('convert/vhd size rounding: sectors by default, whole MiB for Azure', () => {
  assert.equal(vhdSize(1000, {}), 1024);
  assert.equal(vhdSize(1000, { alignTo1MiB: true }), 1024 * 1024);
  assert.equal(vhdSize(3 * 1024 * 1024, { alignTo1MiB: true }), 3 * 1024 * 1024);
  assert.throws(() => vhdSize(2041 * 1024 ** 3, {}), /at most/);
});
