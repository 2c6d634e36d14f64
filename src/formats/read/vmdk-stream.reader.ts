/**
 * streamOptimized VMDK from a stream: the header, then markers from `overhead` on. Grains must
 * come in increasing LBA order (every known writer does so); gaps read as zeros. GT, GD and
 * footer metadata are skipped since the markers already say where each grain belongs.
 */
import type { Readable } from 'node:stream';
import { InvalidImageDataError } from '../../domain/errors.js';
import { inflateVmdkGrain } from './decompress.js';
import type { DiskStream, Extent } from './disk.js';
import { ForwardSource } from './forward-source.js';
import { readExact } from './source.js';
import {
  checkDescriptor,
  grainRecordBytes,
  MARKER_EOS,
  MARKER_FOOTER,
  MARKER_GD,
  MARKER_GT,
  parseMarker,
  parseVmdkHeader,
  SECTOR,
  type VmdkHeader,
} from './vmdk-header.js';
import { mergeZeros, splitZeros } from './zero.js';

const MAX_DESCRIPTOR = 1024 * 1024;

export async function vmdkStream(stream: Readable): Promise<DiskStream> {
  const source = new ForwardSource(stream, 'vmdk');
  let header: VmdkHeader;
  try {
    header = parseVmdkHeader(await readExact(source, 0, SECTOR, 'vmdk header', 'format.vmdk.truncated'));
    if (!header.compressed || !header.markers) {
      throw new InvalidImageDataError('vmdk: only streamOptimized disks (compressed grains with markers) can be read as a stream', {
        reason: 'format.not_streamable',
      });
    }
    if (header.descriptorSize > 0) {
      const length = Math.min(header.descriptorSize * SECTOR, MAX_DESCRIPTOR);
      checkDescriptor((await readExact(source, header.descriptorOffset * SECTOR, length, 'vmdk descriptor', 'format.vmdk.truncated')).toString('latin1').replace(/\0[\s\S]*$/, ''));
    }
  } catch (error) {
    await source.close();
    throw error;
  }
  const size = header.capacity * SECTOR;
  return {
    size,
    async *extents() {
      try {
        yield* mergeZeros(grains(header, source, size));
      } finally {
        await source.close();
      }
    },
  };
}

async function* grains(header: VmdkHeader, source: ForwardSource, size: number): AsyncGenerator<Extent> {
  const grainBytes = header.grainSectors * SECTOR;
  let next = 0; // first virtual byte not yet yielded
  let pos = header.overhead * SECTOR;
  for (;;) {
    const head = await source.read(pos, SECTOR);
    if (head.length < 16) throw new InvalidImageDataError('vmdk: the stream ends without an end-of-stream marker', { reason: 'format.vmdk.truncated' });
    const marker = parseMarker(head);
    if (marker.kind === 'metadata') {
      if (marker.type === MARKER_EOS) break;
      if (marker.type !== MARKER_GT && marker.type !== MARKER_GD && marker.type !== MARKER_FOOTER) {
        throw new InvalidImageDataError(`vmdk: unknown marker type ${marker.type}`, { reason: 'format.vmdk.invalid_marker' });
      }
      pos += SECTOR + marker.sectors * SECTOR;
      continue;
    }
    const offset = marker.lba * SECTOR;
    if (offset % grainBytes !== 0 || offset < next || offset >= size || marker.size > 2 * grainBytes) {
      throw new InvalidImageDataError(`vmdk: grain marker for sector ${marker.lba} is out of order or out of range`, { reason: 'format.vmdk.invalid_marker' });
    }
    const compressed = await readExact(source, pos + 12, marker.size, 'vmdk grain', 'format.vmdk.truncated');
    pos += grainRecordBytes(marker.size);
    if (offset > next) yield { offset: next, length: offset - next, kind: 'zero' };
    const length = Math.min(grainBytes, size - offset);
    const data = inflateVmdkGrain(compressed, grainBytes);
    if (data.length < length) {
      throw new InvalidImageDataError(`vmdk: grain at ${offset} decompresses to ${data.length} bytes`, { reason: 'format.vmdk.compressed' });
    }
    yield* splitZeros(offset, data.subarray(0, length));
    next = offset + length;
  }
  if (next < size) yield { offset: next, length: size - next, kind: 'zero' };
}
