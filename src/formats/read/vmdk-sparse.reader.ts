/**
 * VMDK hosted sparse extent read through its grain directory: monolithicSparse, and
 * streamOptimized from a seekable source (GD located through the footer when the header says
 * GD_AT_END). Walks GD -> GT -> grains in virtual order; host-contiguous plain grains are read
 * together and compressed grains a batch at a time, a few reads ahead of the consumer.
 */
import { InvalidImageDataError } from '../../domain/errors.js';
import { inflateVmdkGrain } from './decompress.js';
import { dataBytes, readPooled } from './buffer-pool.js';
import type { Extent, MapExtent, SeekableDisk } from './disk.js';
import { collect, InOrder } from './in-order.js';
import { exactly, readExact, type RandomAccessSource } from './source.js';
import { checkDescriptor, MARKER_FOOTER, parseMarker, parseVmdkHeader, SECTOR, type VmdkHeader } from './vmdk-header.js';
import { mergeZeros, splitZeros } from './zero.js';

const MAX_RUN = 4 * 1024 * 1024;
/** Grains read with one call (about 3 MiB when incompressible: fits one pool slab) and inflated together. */
const COMPRESSED_BATCH = 48;
/** qemu caps the embedded descriptor it reads at 1 MiB. */
const MAX_DESCRIPTOR = 1024 * 1024;
/** qemu's "zeroed grain" GTE value (version 2+ with the zeroed-grain flag). */
const GTE_ZEROED = 1;

type Piece =
  | { offset: number; length: number; kind: 'zero' }
  | { offset: number; length: number; kind: 'read'; host: number }
  | { offset: number; length: number; kind: 'compressed'; host: number };

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
    extents: () => mergeZeros(readPieces(image, source, pieces(image, source))),
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
    let pending: Piece | undefined;
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
      if (pending !== undefined && canJoin(pending, piece)) {
        pending.length += piece.length;
        continue;
      }
      if (pending !== undefined) yield pending;
      pending = piece;
    }
    if (pending !== undefined) yield pending;
  }
}

function canJoin(a: Piece, b: Piece): boolean {
  if (a.kind === 'zero' && b.kind === 'zero') return true;
  return a.kind === 'read' && b.kind === 'read' && a.host + a.length === b.host && a.length + b.length <= MAX_RUN;
}

async function* mapPieces(all: AsyncIterable<Piece>): AsyncGenerator<MapExtent> {
  for await (const { offset, length, kind } of all) yield { offset, length, kind: kind === 'zero' ? 'zero' : 'data' };
}

/**
 * Reads (plain runs, compressed batches) kept going ahead of the one being yielded, so reading
 * overlaps the consumer's decoding and writing.
 */
const JOBS_AHEAD = 3;

async function* readPieces(image: VmdkImage, source: RandomAccessSource, all: AsyncIterable<Piece>): AsyncGenerator<Extent> {
  const ahead = new InOrder<Extent[]>();
  let batch: Extract<Piece, { kind: 'compressed' }>[] = [];
  const submit = () => {
    if (batch.length > 0) ahead.push(collect(inflateBatch(image, source, batch)));
    batch = [];
  };
  for await (const piece of all) {
    if (piece.kind === 'compressed') {
      batch.push(piece);
      if (batch.length < COMPRESSED_BATCH) continue;
      submit();
    } else {
      submit();
      ahead.push(piece.kind === 'zero' ? Promise.resolve([piece]) : readRun(source, piece));
    }
    for await (const extents of ahead.drain(JOBS_AHEAD - 1)) yield* extents;
  }
  submit();
  for await (const extents of ahead.drain()) yield* extents;
}

/** A host-contiguous run of plain grains, split where it holds zeros; its slab is lent for the data. */
async function readRun(source: RandomAccessSource, piece: Extract<Piece, { kind: 'read' }>): Promise<Extent[]> {
  const bytes = exactly(await readPooled(source, piece.host, piece.length), piece.host, piece.length, 'vmdk grain', 'format.vmdk.truncated');
  const extents = [...splitZeros(piece.offset, bytes)];
  source.pool?.lend(bytes, dataBytes(extents));
  return extents;
}

/**
 * Like qemu, reads up to two grains' worth per compressed grain (marker + deflate data may
 * exceed one grain for incompressible data) and takes the data length from the marker when the
 * file has markers.
 */
async function* inflateBatch(image: VmdkImage, source: RandomAccessSource, batch: Extract<Piece, { kind: 'compressed' }>[]): AsyncGenerator<Extent> {
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
