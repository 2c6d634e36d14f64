import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InvalidImageDataError } from '../../domain/errors.js';
import { checkDescriptor, grainRecordBytes, MARKER_EOS, MARKER_GT, parseMarker } from './vmdk-header.js';

function marker(value: bigint, size: number, type = 0): Buffer {
  const buf = Buffer.alloc(512);
  buf.writeBigUInt64LE(value, 0);
  buf.writeUInt32LE(size, 8);
  buf.writeUInt32LE(type, 12);
  return buf;
}

test('convert/vmdk markers: grain, metadata and end of stream', () => {
  assert.deepEqual(parseMarker(marker(256n, 1000)), { kind: 'grain', lba: 256, size: 1000 });
  assert.deepEqual(parseMarker(marker(4n, 0, MARKER_GT)), { kind: 'metadata', type: MARKER_GT, sectors: 4 });
  assert.deepEqual(parseMarker(Buffer.alloc(512)), { kind: 'metadata', type: MARKER_EOS, sectors: 0 });
  assert.throws(() => parseMarker(Buffer.alloc(10)), InvalidImageDataError);
});

test('convert/vmdk markers: grain records are padded to sectors', () => {
  assert.equal(grainRecordBytes(500), 512);
  assert.equal(grainRecordBytes(501), 1024);
  assert.equal(grainRecordBytes(65536 + 100), 66048);
});

test('convert/vmdk descriptor: only single-file sparse disks without parents', () => {
  checkDescriptor('# Disk DescriptorFile\nversion=1\ncreateType="streamOptimized"\nRW 8 SPARSE "a.vmdk"\n');
  checkDescriptor('createType="monolithicSparse"\n');
  assert.throws(() => checkDescriptor('createType="monolithicFlat"\nRW 8 FLAT "/etc/hostname" 0\n'), InvalidImageDataError);
  assert.throws(() => checkDescriptor('createType="monolithicSparse"\nparentFileNameHint="base.vmdk"\n'), InvalidImageDataError);
});
