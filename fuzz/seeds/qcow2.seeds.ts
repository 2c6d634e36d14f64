/**
 * qcow2 seeds: the test suite's valid builder (test/formats/support/images.ts) in its variants,
 * plus what it cannot write: header extensions of every kind the inspector reads, a snapshot
 * table, a backing file name, and qcow v1.
 */
import { qcow2 } from '../../test/formats/support/images.js';
import { wholeSample } from '../engine/sample.js';
import type { Seed } from './seed.js';

const EXT_BACKING_FORMAT = 0xe2792aca;
const EXT_FEATURE_NAMES = 0x6803f857;
const EXT_BITMAPS = 0x23852875;
const EXT_CRYPTO = 0x0537be77;
const EXT_DATA_FILE = 0x44415441;

/** A v3 image with one internal snapshot whose table sits in an extra cluster at the end. */
function withSnapshot(): Buffer {
  const q = qcow2({ dataClusters: 1 });
  const c = q.clusterSize;
  const at = q.buf.length;
  const buf = Buffer.concat([q.buf, Buffer.alloc(c)]);
  buf.writeUInt32BE(1, 60); // nb_snapshots
  buf.writeBigUInt64BE(BigInt(at), 64); // snapshots_offset
  buf.writeUInt16BE(1, q.refblockOffset + 2 * (at / c)); // the new cluster is in use
  const e = buf.subarray(at);
  e.writeBigUInt64BE(BigInt(q.l1Offset), 0); // the snapshot shares the active L1 table
  e.writeUInt32BE(q.l1Size, 8);
  e.writeUInt16BE(1, 12); // id "1"
  e.writeUInt16BE(2, 14); // name "s1"
  e.writeUInt32BE(16, 36); // extra data: vm_state_size_large, disk_size
  e.writeBigUInt64BE(BigInt(buf.readBigUInt64BE(24)), 48);
  e.write('1s1', 56, 'latin1');
  return buf;
}

function withBackingFile(): Buffer {
  const q = qcow2();
  const name = '/etc/passwd';
  q.buf.write(name, 400, 'latin1');
  q.buf.writeBigUInt64BE(400n, 8);
  q.buf.writeUInt32BE(name.length, 16);
  return q.buf;
}

function qcowV1(): Buffer {
  const b = Buffer.alloc(512);
  b.write('QFI\xfb', 0, 'latin1');
  b.writeUInt32BE(1, 4);
  return b;
}

const ext = (type: number, body: Buffer): [number, Buffer] => [type, body];
const u64s = (...v: bigint[]) => Buffer.concat(v.map((x) => { const b = Buffer.alloc(8); b.writeBigUInt64BE(x); return b; }));

export function qcow2Seeds(): Seed[] {
  const featureNames = Buffer.alloc(48);
  featureNames.write('dirty bit', 2, 'latin1');
  const bitmaps = Buffer.concat([Buffer.alloc(8), u64s(0n, 1536n)]); // nb_bitmaps, directory size, directory offset
  const lazy = qcow2();
  lazy.buf.writeBigUInt64BE(1n, 80); // compatible: lazy refcounts
  return [
    { name: 'qcow2-v3', sample: wholeSample(qcow2().buf), expect: 'qcow2' },
    { name: 'qcow2-v2', sample: wholeSample(qcow2({ version: 2 }).buf), expect: 'qcow2' },
    { name: 'qcow2-64k-clusters', sample: wholeSample(qcow2({ clusterBits: 16, size: 64 << 20, dataClusters: 3 }).buf), expect: 'qcow2' },
    { name: 'qcow2-lazy-refcounts', sample: wholeSample(lazy.buf), expect: 'qcow2' },
    { name: 'qcow2-snapshot', sample: wholeSample(withSnapshot()), expect: 'qcow2' },
    { name: 'qcow2-feature-names', sample: wholeSample(qcow2({ extensions: [ext(EXT_FEATURE_NAMES, featureNames), ext(EXT_BITMAPS, bitmaps)] }).buf), expect: 'qcow2' },
    { name: 'qcow2-backing-format', sample: wholeSample(qcow2({ extensions: [ext(EXT_BACKING_FORMAT, Buffer.from('raw'))] }).buf), expect: 'refused:backing_file' },
    { name: 'qcow2-data-file', sample: wholeSample(qcow2({ extensions: [ext(EXT_DATA_FILE, Buffer.from('/dev/sda'))] }).buf), expect: 'refused:data_file' },
    { name: 'qcow2-crypto', sample: wholeSample(qcow2({ extensions: [ext(EXT_CRYPTO, u64s(1536n, 512n))] }).buf), expect: 'refused:encrypted' },
    { name: 'qcow2-backing-file', sample: wholeSample(withBackingFile()), expect: 'refused:backing_file' },
    { name: 'qcow-v1', sample: wholeSample(qcowV1()), expect: 'refused:unsupported_format' },
  ];
}
