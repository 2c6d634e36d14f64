import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InvalidImageDataError } from '../../domain/errors.js';
import { decodeL2Entry } from './qcow2-l2.js';

const standard = { clusterBits: 16, clusterSize: 65536, extendedL2: false, l2EntryBytes: 8 };
const extended = { clusterBits: 16, clusterSize: 65536, extendedL2: true, l2EntryBytes: 16 };

function table(...entries: bigint[]): Buffer {
  const buf = Buffer.alloc(entries.length * 8);
  entries.forEach((e, i) => buf.writeBigUInt64BE(e, i * 8));
  return buf;
}

const COPIED = 1n << 63n;
const COMPRESSED = 1n << 62n;

test('convert/qcow2 L2: standard entries', () => {
  const t = table(0n, COPIED | 0x50000n, 0x50000n | 1n, 0x123450000n, 1n);
  assert.deepEqual(decodeL2Entry(t, 0, standard), { kind: 'zero' });
  assert.deepEqual(decodeL2Entry(t, 1, standard), { kind: 'data', hostOffset: 0x50000 });
  // Bit 0: reads as zero even with a (preallocated) host offset.
  assert.deepEqual(decodeL2Entry(t, 2, standard), { kind: 'zero' });
  assert.deepEqual(decodeL2Entry(t, 3, standard), { kind: 'data', hostOffset: 0x123450000 });
  assert.deepEqual(decodeL2Entry(t, 4, standard), { kind: 'zero' });
});

test('convert/qcow2 L2: an unaligned host offset is refused', () => {
  assert.throws(() => decodeL2Entry(table(0x50200n), 0, standard), InvalidImageDataError);
});

test('convert/qcow2 L2: compressed descriptors', () => {
  // cluster_bits 16: x = 62 - 8 = 54 offset bits, then the additional-sector count.
  const offset = 0x12345n;
  const extraSectors = 3n;
  const t = table(COMPRESSED | (extraSectors << 54n) | offset);
  // Four sectors counted from the one holding the offset: 4 * 512 - (0x12345 % 512).
  assert.deepEqual(decodeL2Entry(t, 0, standard), { kind: 'compressed', hostOffset: 0x12345, length: 4 * 512 - 0x145 });
  // With 4 KiB clusters the size field starts at bit 58.
  const small = { clusterBits: 12, clusterSize: 4096, extendedL2: false, l2EntryBytes: 8 };
  assert.deepEqual(decodeL2Entry(table(COMPRESSED | (1n << 58n) | 0x200n), 0, small), { kind: 'compressed', hostOffset: 0x200, length: 1024 });
});

test('convert/qcow2 L2: extended entries and subclusters', () => {
  const ext = (entry: bigint, zeroBits: number, allocBits: number) => {
    const buf = Buffer.alloc(16);
    buf.writeBigUInt64BE(entry, 0);
    buf.writeUInt32BE(zeroBits >>> 0, 8);
    buf.writeUInt32BE(allocBits >>> 0, 12);
    return buf;
  };
  assert.deepEqual(decodeL2Entry(ext(0n, 0, 0), 0, extended), { kind: 'zero' });
  assert.deepEqual(decodeL2Entry(ext(0n, 0xffffffff, 0), 0, extended), { kind: 'zero' });
  assert.deepEqual(decodeL2Entry(ext(COPIED | 0x70000n, 0, 0xffffffff), 0, extended), { kind: 'data', hostOffset: 0x70000 });
  assert.deepEqual(decodeL2Entry(ext(COPIED | 0x70000n, 0xe0, 0x18), 0, extended), { kind: 'subclusters', hostOffset: 0x70000, allocated: 0x18 });
  // Allocated and zero at once, or allocated without a host cluster: corrupt.
  assert.throws(() => decodeL2Entry(ext(0x70000n, 0x8, 0x8), 0, extended), InvalidImageDataError);
  assert.throws(() => decodeL2Entry(ext(0n, 0, 0x1), 0, extended), InvalidImageDataError);
});
