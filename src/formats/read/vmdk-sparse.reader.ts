/**
 * VMDK hosted sparse extent read through its grain directory: monolithicSparse, and
 * streamOptimized from a seekable source (GD located through the footer when the header says
 * GD_AT_END). Walks GD -> GT -> grains in virtual order; host-contiguous plain grains are read
 * together and compressed grains a batch at a time, a few reads ahead of the consumer.
 */
import { InvalidImageDataError } from '../../domain/errors.js';
import { inflateVmdkGrain } from './decompress.js';
import { readPooled } from './buffer-pool.js';
import { MAX_RUN, mapPieces, PieceJoiner, readPieces, type CompressedPiece, type Piece } from './cluster-pieces.js';
import type { Extent, SeekableDisk } from './disk.js';
import { readExact, type RandomAccessSource } from './source.js';
import { checkDescriptor, MARKER_FOOTER, parseMarker, parseVmdkHeader, SECTOR, type VmdkHeader } from './vmdk-header.js';
import { mergeZeros, splitZeros } from './zero.js';

/** Grains read with one call (about 3 MiB when incompressible: fits one pool slab) and inflated together. */
const COMPRESSED_BATCH = 48;
/** qemu caps the embedded descriptor it reads at 1 MiB. */
const MAX_DESCRIPTOR = 1024 * 1024;
/** qemu's "zeroed grain" GTE value (version 2+ with the zeroed-grain flag). */
const GTE_ZEROED = 1;

interface VmdkImage {
  readonly header: VmdkHeader;
  readonly gd: Buffer;
  readonly size: number;
  readonly grainBytes: number;
  readonly gtCoverage: number;
}

export async function vmdkDisk(source: RandomAccessSource): Promise<SeekableDisk> {
  const image = await openVmdk(source);
  return {
    size: image.size,
    seekable: true,
    extents: () => mergeZeros(readAll(image, source)),
    map: () => mergeZeros(mapPieces(pieces(image, source))),
  };
}

async function openVmdk(source: RandomAccessSource): Promise<VmdkImage> {
  let header = parseVmdkHeader(await readExact(source, 0, SECTOR, 'vmdk header', 'format.vmdk.truncated'));
  if (header.descriptorSize > 0) {
    const length = Math.min(header.descriptorSize * SECTOR, MAX_DESCRIPTOR);
    const text = (await readExact(source, header.descriptorOffset * SECTOR, length, 'vmdk descriptor', 'format.vmdk.truncated')).toString('latin1');
    checkDescriptor(text.replace(/\0[\s\S]*$/, ''));
  }
  if (header.gdOffset === undefined) {
    // GD_AT_END: footer marker, footer (a copy of the header with the real gdOffset), EOS.
    if (source.size < 3 * SECTOR) throw new InvalidImageDataError('vmdk: no room for a footer', { reason: 'format.vmdk.truncated' });
    const tail = await readExact(source, source.size - 3 * SECTOR, 3 * SECTOR, 'vmdk footer', 'format.vmdk.truncated');
    const marker = parseMarker(tail);
    if (marker.kind !== 'metadata' || marker.type !== MARKER_FOOTER) {
      throw new InvalidImageDataError('vmdk: the grain directory is at the end but there is no footer', { reason: 'format.vmdk.footer' });
    }
    header = parseVmdkHeader(tail.subarray(SECTOR, 2 * SECTOR));
    if (header.gdOffset === undefined) throw new InvalidImageDataError('vmdk: the footer has no grain directory offset', { reason: 'format.vmdk.footer' });
  }
  const grainBytes = header.grainSectors * SECTOR;
  const gtCoverage = grainBytes * header.gtesPerGt;
  const size = header.capacity * SECTOR;
  const gts = Math.ceil(size / gtCoverage);
  const gd = await readExact(source, header.gdOffset! * SECTOR, gts * 4, 'vmdk grain directory', 'format.vmdk.truncated');
  return { header, gd, size, grainBytes, gtCoverage };
}

async function* pieces(image: VmdkImage, source: RandomAccessSource): AsyncGenerator<Piece> {
  const { header, gd, size, grainBytes, gtCoverage } = image;
  for (let gt = 0; gt * gtCoverage < size; gt++) {
    const gtStart = gt * gtCoverage;
    const gtEnd = Math.min(size, gtStart + gtCoverage);
    const gde = gd.readUInt32LE(gt * 4);
    if (gde === 0) {
      yield { offset: gtStart, length: gtEnd - gtStart, kind: 'zero' };
      continue;
    }
    const table = await readExact(source, gde * SECTOR, header.gtesPerGt * 4, 'vmdk grain table', 'format.vmdk.truncated');
    const runs = new PieceJoiner<object>();
    for (let i = 0; gtStart + i * grainBytes < gtEnd; i++) {
      const offset = gtStart + i * grainBytes;
      const length = Math.min(grainBytes, gtEnd - offset);
      const gte = table.readUInt32LE(i * 4);
      const piece: Piece =
        gte === 0 || (gte === GTE_ZEROED && header.zeroedGrainGte)
          ? { offset, length, kind: 'zero' }
          : header.compressed
            ? { offset, length, kind: 'compressed', host: gte * SECTOR }
            : { offset, length, kind: 'read', host: gte * SECTOR };
      const run = runs.push(piece);
      if (run !== undefined) yield run;
    }
    const last = runs.flush();
    if (last !== undefined) yield last;
  }
}

function readAll(image: VmdkImage, source: RandomAccessSource): AsyncGenerator<Extent> {
  return readPieces(pieces(image, source), {
    source,
    decompress: (batch) => inflateBatch(image, source, batch),
    batchSize: COMPRESSED_BATCH,
    what: 'vmdk grain',
    truncated: 'format.vmdk.truncated',
  });
}

/**
 * Like qemu, reads up to two grains' worth per compressed grain (marker + deflate data may
 * exceed one grain for incompressible data) and takes the data length from the marker when the
 * file has markers.
 */
async function* inflateBatch(image: VmdkImage, source: RandomAccessSource, batch: CompressedPiece<object>[]): AsyncGenerator<Extent> {
  const { grainBytes, header } = image;
  const window = 2 * grainBytes;
  const first = batch[0]!.host;
  const ascending = batch.every((p, i) => i === 0 || p.host > batch[i - 1]!.host);
  const spanEnd = Math.min(source.size, batch[batch.length - 1]!.host + window);
  const span = ascending && spanEnd - first <= MAX_RUN + window ? await readPooled(source, first, Math.max(0, spanEnd - first)) : undefined;
  const inputs: Buffer[] = [];
  for (const piece of batch) {
    const raw = span !== undefined ? span.subarray(piece.host - first, piece.host - first + window) : await source.read(piece.host, window);
    if (!header.markers) {
      inputs.push(raw.subarray(0, grainBytes));
      continue;
    }
    const marker = parseMarker(raw);
    if (marker.kind !== 'grain' || marker.size > window || 12 + marker.size > raw.length) {
      throw new InvalidImageDataError(`vmdk: bad grain marker at offset ${piece.host}`, { reason: 'format.vmdk.invalid_marker' });
    }
    inputs.push(raw.subarray(12, 12 + marker.size));
  }
  const extents: Extent[] = [];
  for (let i = 0; i < batch.length; i++) {
    const piece = batch[i]!;
    const grain = inflateVmdkGrain(inputs[i]!, grainBytes);
    if (grain.length < piece.length) {
      throw new InvalidImageDataError(`vmdk: grain at ${piece.offset} decompresses to ${grain.length} bytes`, { reason: 'format.vmdk.compressed' });
    }
    extents.push(...splitZeros(piece.offset, grain.subarray(0, piece.length)));
  }
  // Inflation copied everything out of the span, which can be read into again.
  if (span !== undefined) source.pool?.lend(span, 0);
  yield* extents;
}
