import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { qcow2 } from '../../../test/formats/support/images.js';
import type { Qcow2Layout } from '../../../test/formats/support/images.js';
import { assertAccepted, assertRefused, inspectBytesBoth } from '../../../test/formats/support/inspect.js';

const MiB = 1 << 20;

/** A copy of the image with `edit` applied. */
function edited(q: Qcow2Layout, edit: (b: Buffer) => void, extra = 0): Buffer {
  const b = Buffer.concat([q.buf, Buffer.alloc(extra)]);
  edit(b);
  return b;
}

const setU64 = (v: bigint, at: number) => (b: Buffer) => b.writeBigUInt64BE(v, at);
const setU32 = (v: number, at: number) => (b: Buffer) => b.writeUInt32BE(v, at);
const setBit = (bit: number, at = 72) => (b: Buffer) => b.writeBigUInt64BE(b.readBigUInt64BE(at) | (1n << BigInt(bit)), at);

describe('qcow2 header parsing', () => {
  const base = qcow2();

  it('accepts v2 (72-byte header) and v3 (header_length 112 or 104)', async () => {
    assertAccepted(await inspectBytesBoth(qcow2({ version: 2 }).buf), 'qcow2', MiB);
    const v3 = await inspectBytesBoth(base.buf);
    assertAccepted(v3, 'qcow2', MiB);
    assert.equal(v3.ok && v3.details.version, 3);
    assertAccepted(await inspectBytesBoth(edited(base, setU32(104, 100))), 'qcow2', MiB);
  });

  it('refuses versions other than 2 and 3; version 1 is legacy qcow', async () => {
    assertRefused(await inspectBytesBoth(edited(base, setU32(4, 4))), 'invalid_header');
    const v1 = await inspectBytesBoth(edited(base, setU32(1, 4)));
    assertRefused(v1, 'unsupported_format');
    assert.equal(!v1.ok && v1.format, 'qcow');
  });

  it('refuses a header cut short, for v2 and v3', async () => {
    assertRefused(await inspectBytesBoth(qcow2({ version: 2 }).buf.subarray(0, 71)), 'truncated');
    assertRefused(await inspectBytesBoth(base.buf.subarray(0, 100)), 'truncated');
    assertRefused(await inspectBytesBoth(base.buf.subarray(0, 6)), 'truncated');
  });

  it('refuses invalid cluster_bits and header_length', async () => {
    assertRefused(await inspectBytesBoth(edited(base, setU32(8, 20))), 'invalid_header');
    assertRefused(await inspectBytesBoth(edited(base, setU32(22, 20))), 'invalid_header');
    assertRefused(await inspectBytesBoth(edited(base, setU32(108, 100))), 'invalid_header');
    assertRefused(await inspectBytesBoth(edited(base, setU32(96, 100))), 'invalid_header');
    assertRefused(await inspectBytesBoth(edited(base, setU32(1024, 100))), 'invalid_header');
  });

  it('refuses every way of naming a backing file', async () => {
    const named = edited(base, (b) => {
      b.write('json:{"file.filename":"/etc/shadow"}', 200, 'latin1');
      b.writeBigUInt64BE(200n, 8);
      b.writeUInt32BE(35, 16);
    });
    const v = await inspectBytesBoth(named);
    assertRefused(v, 'backing_file');
    assert.match(!v.ok ? v.message : '', /json:.*pseudo-protocol/);
    assertRefused(await inspectBytesBoth(edited(base, setU32(10, 16))), 'backing_file', 'size without offset');
    assertRefused(await inspectBytesBoth(edited(base, setU64(BigInt(base.dataOffset), 8))), 'backing_file', 'name outside cluster 0');
    const fmt = qcow2({ extensions: [[0xe2792aca, Buffer.from('raw')]] }).buf;
    assertRefused(await inspectBytesBoth(fmt), 'backing_file', 'backing format extension only');
  });

  it('refuses every way of naming an external data file', async () => {
    assertRefused(await inspectBytesBoth(edited(base, setBit(2))), 'data_file');
    assertRefused(await inspectBytesBoth(edited(base, setBit(1, 88))), 'data_file', 'autoclear data_file_raw');
    assertRefused(await inspectBytesBoth(qcow2({ extensions: [[0x44415441, Buffer.from('/dev/sda')]] }).buf), 'data_file');
  });

  it('refuses unknown incompatible bits, ignores unknown compatible/autoclear bits and extensions', async () => {
    assertRefused(await inspectBytesBoth(edited(base, setBit(5))), 'unknown_feature');
    assertRefused(await inspectBytesBoth(edited(base, setBit(63))), 'unknown_feature');
    assertAccepted(await inspectBytesBoth(edited(base, setBit(40, 80))), 'qcow2');
    assertAccepted(await inspectBytesBoth(edited(base, setBit(40, 88))), 'qcow2');
    assertAccepted(await inspectBytesBoth(qcow2({ extensions: [[0x12345678, Buffer.alloc(20, 1)]] }).buf), 'qcow2');
  });

  it('refuses a header extension that runs past the first cluster', async () => {
    const q = qcow2({ extensions: [[0x12345678, Buffer.alloc(8)]] });
    assertRefused(await inspectBytesBoth(edited(q, setU32(4000, 116))), 'invalid_header');
  });

  it('handles the dirty, corrupt, compression-type and extended-L2 bits', async () => {
    const dirty = await inspectBytesBoth(edited(base, setBit(0)));
    assertAccepted(dirty, 'qcow2');
    assert.equal(dirty.ok && dirty.details.dirty, true);
    assertRefused(await inspectBytesBoth(edited(base, setBit(1))), 'invalid_header', 'corrupt');
    assertRefused(await inspectBytesBoth(edited(base, setBit(3))), 'invalid_header', 'bit 3 with zlib');
    assertRefused(await inspectBytesBoth(edited(base, (b) => { b[104] = 1; })), 'invalid_header', 'zstd without bit 3');
    const zstd = await inspectBytesBoth(edited(base, (b) => { b[104] = 1; setBit(3)(b); }));
    assert.equal(zstd.ok && zstd.details.compressionType, 'zstd');
    assertRefused(await inspectBytesBoth(edited(base, (b) => { b[104] = 2; setBit(3)(b); })), 'invalid_header');
    assertRefused(await inspectBytesBoth(edited(base, setBit(4))), 'invalid_header', 'extended L2 with 512-byte clusters');
    assertRefused(await inspectBytesBoth(edited(base, setU32(7, 96))), 'invalid_header', 'refcount_order 7');
  });

  it('refuses encryption unless allowed', async () => {
    const aes = edited(base, setU32(1, 32));
    assertRefused(await inspectBytesBoth(aes), 'encrypted');
    const allowed = await inspectBytesBoth(aes, { allowEncrypted: true });
    assert.equal(allowed.ok && allowed.details.encryption, 'aes');
    assertRefused(await inspectBytesBoth(edited(base, setU32(3, 32)), { allowEncrypted: true }), 'invalid_header');
  });

  it('applies the virtual size limit from the header', async () => {
    const big = qcow2({ clusterBits: 16, size: 2 * 2 ** 40, dataClusters: 0 }).buf;
    assertRefused(await inspectBytesBoth(big), 'virtual_size_too_large');
    assertAccepted(await inspectBytesBoth(big, { maxVirtualSize: 4 * 2 ** 40 }), 'qcow2', 2 * 2 ** 40);
    assertRefused(await inspectBytesBoth(base.buf, { maxVirtualSize: MiB - 1 }), 'virtual_size_too_large');
  });
});

describe('qcow2 tables', () => {
  const base = qcow2();

  it('checks table geometry', async () => {
    assertRefused(await inspectBytesBoth(edited(base, setU32(0, 36))), 'invalid_header', 'L1 too small');
    assertRefused(await inspectBytesBoth(edited(base, setU64(BigInt(base.l1Offset + 8), 40))), 'invalid_header', 'unaligned L1');
    assertRefused(await inspectBytesBoth(edited(base, setU64(0n, 40))), 'invalid_header', 'L1 over the header');
    assertRefused(await inspectBytesBoth(edited(base, setU32(0, 56))), 'invalid_header', 'no refcount table');
    const q4k = qcow2({ clusterBits: 12 });
    assertRefused(await inspectBytesBoth(edited(q4k, setU64(BigInt(q4k.l2Offset + 512) | (1n << 63n), q4k.l1Offset))), 'invalid_header', 'unaligned L2');
  });

  it('refuses tables that lie beyond the end of the file', async () => {
    const far = BigInt(base.buf.length + 4 * base.clusterSize);
    assertRefused(await inspectBytesBoth(edited(base, setU64(far, 40))), 'truncated', 'L1 table');
    assertRefused(await inspectBytesBoth(edited(base, setU64(far, 48))), 'truncated', 'refcount table');
    assertRefused(await inspectBytesBoth(edited(base, setU64(far | (1n << 63n), base.l1Offset))), 'truncated', 'L2 table');
    assertRefused(await inspectBytesBoth(edited(base, setU64(far, base.rtOffset))), 'truncated', 'refcount block');
    assertRefused(await inspectBytesBoth(edited(base, setU64(2n ** 62n, 40))), 'truncated', 'absurd offset');
  });

  it('refuses a file whose refcounts count clusters beyond its end, unless refcounts are stale', async () => {
    const cut = base.buf.subarray(0, base.dataOffset + 1);
    assertRefused(await inspectBytesBoth(cut), 'truncated');
    const dirty = Buffer.from(cut);
    setBit(0)(dirty);
    assertAccepted(await inspectBytesBoth(dirty), 'qcow2');
  });

  it('reads sub-byte refcounts (refcount_order 0)', async () => {
    const clusters = base.buf.length / base.clusterSize;
    const oneBit = (extraBit: number) => edited(base, (b) => {
      b.writeUInt32BE(0, 96);
      b.fill(0, base.refblockOffset, base.refblockOffset + base.clusterSize);
      for (const i of [...Array(clusters).keys(), extraBit]) b[base.refblockOffset + (i >> 3)]! |= 1 << (i & 7);
    });
    assertAccepted(await inspectBytesBoth(oneBit(0)), 'qcow2');
    assertRefused(await inspectBytesBoth(oneBit(clusters + 3)), 'truncated');
  });

  it('walks the snapshot table: size limit, bounds and snapshot L1 tables', async () => {
    const c = base.clusterSize;
    const withSnapshot = (diskSize: bigint, l1: bigint, tableAt = base.buf.length) => edited(base, (b) => {
      b.writeUInt32BE(1, 60);
      b.writeBigUInt64BE(BigInt(tableAt), 64);
      const e = tableAt;
      if (e + 64 > b.length) return;
      b.writeBigUInt64BE(l1, e);
      b.writeUInt32BE(base.l1Size, e + 8);
      b.writeUInt16BE(1, e + 12);
      b.writeUInt16BE(2, e + 14);
      b.writeUInt32BE(16, e + 36);
      b.writeBigUInt64BE(diskSize, e + 48);
      b.write('1ab', e + 56, 'latin1');
    }, c);
    assertAccepted(await inspectBytesBoth(withSnapshot(BigInt(MiB), BigInt(base.l1Offset))), 'qcow2', MiB);
    assertRefused(await inspectBytesBoth(withSnapshot(2n ** 41n, BigInt(base.l1Offset))), 'virtual_size_too_large');
    assertRefused(await inspectBytesBoth(withSnapshot(BigInt(MiB), BigInt(base.buf.length + 8 * c))), 'truncated', 'snapshot L1');
    assertRefused(await inspectBytesBoth(withSnapshot(BigInt(MiB), BigInt(base.l1Offset), base.buf.length + 16 * c)), 'truncated', 'table');
  });
});
