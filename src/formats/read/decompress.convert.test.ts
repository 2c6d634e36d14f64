import assert from 'node:assert/strict';
import { test } from 'node:test';
import { deflateRawSync } from 'node:zlib';
import { InvalidImageDataError } from '../../domain/errors.js';
import { inflateQcow2Cluster, zstdFrameLength } from './decompress.js';

test('convert/zstd frame length: walks block headers and stops at the frame end', () => {
  // A single-segment frame: FHD 0x20 (1-byte content size), content size 3, one last raw block of 3 bytes.
  const frame = Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0x20, 0x03, (3 << 3) | 1, 0, 0, 0x61, 0x62, 0x63]);
  assert.equal(zstdFrameLength(Buffer.concat([frame, Buffer.from('trailing bytes')])), frame.length);
  assert.equal(zstdFrameLength(frame.subarray(0, frame.length - 1)), undefined);
  assert.equal(zstdFrameLength(Buffer.from('not zstd at all')), undefined);
});

test('convert/qcow2 zlib clusters: raw deflate filling the cluster, trailing bytes ignored', () => {
  const cluster = Buffer.alloc(4096, 7);
  const compressed = Buffer.concat([deflateRawSync(cluster), Buffer.alloc(300, 0xee)]);
  assert.deepEqual(inflateQcow2Cluster(compressed, 4096), cluster);
  // A bomb stops at one cluster; a short cluster is refused.
  assert.throws(() => inflateQcow2Cluster(deflateRawSync(Buffer.alloc(8192)), 4096), InvalidImageDataError);
  assert.throws(() => inflateQcow2Cluster(deflateRawSync(Buffer.alloc(100)), 4096), InvalidImageDataError);
});
