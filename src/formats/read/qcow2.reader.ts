/**
 * qcow2 reader (v2/v3; zlib and zstd compressed clusters; extended L2 with subclusters; zero
 * clusters). The walk follows virtual order: L1 entry, its L2 table, then the clusters it maps.
 * Host-contiguous clusters are read together and compressed clusters a batch at a time, a few
 * reads ahead of the consumer, so reading overlaps decompression and writing.
 *
 * The same walk serves a stream when the file was written in virtual order (what `qemu-img
 * convert` produces): every read then lands at or after the previous one, give or take
 * STREAM_LOOKBEHIND. Anything else makes ForwardSource refuse with `format.not_streamable`.
 */
import type { Readable } from 'node:stream';
import { readPooled } from './buffer-pool.js';
import { MAX_RUN, mapPieces, PieceJoiner, readPieces, type CompressedPiece, type Piece as AnyPiece } from './cluster-pieces.js';
import type { DiskStream, Extent, SeekableDisk } from './disk.js';
import { inflateQcow2Cluster, unzstdQcow2Cluster } from './decompress.js';
import { ForwardSource } from './forward-source.js';
import { l1EntryOffset, parseQcow2Header, QCOW2_HEADER_PROBE, type Qcow2Header } from './qcow2-header.js';
import { decodeL2Entry, SUBCLUSTERS } from './qcow2-l2.js';
import { readExact, type ByteReader, type RandomAccessSource } from './source.js';
import { mergeZeros, splitZeros } from './zero.js';

/**
 * How far back a streamed qcow2 may reach. qemu packs compressed clusters into a partly filled
 * host cluster and keeps filling it after allocating whole clusters for incompressible data, so
 * `qemu-img convert -c` output is not strictly in host order; this covers incompressible runs of
 * up to 16 MiB between compressed clusters.
 */
const STREAM_LOOKBEHIND = 16 * 1024 * 1024;
/** Compressed clusters decompressed together. */
const COMPRESSED_BATCH = 16;

/** A compressed cluster's entry also gives its compressed length. */
type Piece = AnyPiece<{ hostLength: number }>;

interface Qcow2Image {
  readonly header: Qcow2Header;
  readonly l1: Buffer;
}

export async function qcow2Disk(source: RandomAccessSource): Promise<SeekableDisk> {
  const image = await openQcow2(source);
  return {
    size: image.header.size,
    seekable: true,
    extents: () => mergeZeros(readAll(image, source)),
    map: () => mergeZeros(mapPieces(pieces(image, source))),
  };
}

/** qcow2 from a stream; works when clusters and tables appear in virtual order. */
export async function qcow2Stream(stream: Readable): Promise<DiskStream> {
  const source = new ForwardSource(stream, 'qcow2', STREAM_LOOKBEHIND);
  let image: Qcow2Image;
  try {
    image = await openQcow2(source);
  } catch (error) {
    await source.close();
    throw error;
  }
  return {
    size: image.header.size,
    async *extents() {
      try {
        yield* mergeZeros(readAll(image, source));
      } finally {
        await source.close();
      }
    },
  };
}

async function openQcow2(source: ByteReader): Promise<Qcow2Image> {
  const header = parseQcow2Header(await source.read(0, QCOW2_HEADER_PROBE));
  // Only the entries that cover the virtual size matter; the rest of the table is never read.
  const entries = Math.ceil(header.size / header.l2Coverage);
  const l1 = await readExact(source, header.l1Offset, entries * 8, 'qcow2 L1 table', 'format.qcow2.truncated');
  return { header, l1 };
}

/** Virtual-order pieces of the disk; never merged across L2 tables (see readAll). */
async function* pieces(image: Qcow2Image, source: ByteReader): AsyncGenerator<Piece> {
  const { header, l1 } = image;
  const { clusterSize, size, l2Coverage } = header;
  const subclusterSize = clusterSize / SUBCLUSTERS;
  for (let group = 0; group * l2Coverage < size; group++) {
    const groupStart = group * l2Coverage;
    const groupEnd = Math.min(size, groupStart + l2Coverage);
    const l2Offset = l1EntryOffset(l1, group, clusterSize);
    if (l2Offset === 0) {
      yield { offset: groupStart, length: groupEnd - groupStart, kind: 'zero' };
      continue;
    }
    const table = await readExact(source, l2Offset, clusterSize, 'qcow2 L2 table', 'format.qcow2.truncated');
    const runs = new PieceJoiner<{ hostLength: number }>();
    const clusters = Math.ceil((groupEnd - groupStart) / clusterSize);
    for (let i = 0; i < clusters; i++) {
      const offset = groupStart + i * clusterSize;
      const length = Math.min(clusterSize, groupEnd - offset);
      const mapping = decodeL2Entry(table, i, header);
      const out: Piece[] = [];
      switch (mapping.kind) {
        case 'zero':
          out.push({ offset, length, kind: 'zero' });
          break;
        case 'data':
          out.push({ offset, length, kind: 'read', host: mapping.hostOffset });
          break;
        case 'compressed':
          out.push({ offset, length, kind: 'compressed', host: mapping.hostOffset, hostLength: mapping.length });
          break;
        case 'subclusters':
          for (let s = 0; s < SUBCLUSTERS && s * subclusterSize < length; s++) {
            const at = s * subclusterSize;
            const sub = Math.min(subclusterSize, length - at);
            out.push(
              (mapping.allocated & (1 << s)) !== 0
                ? { offset: offset + at, length: sub, kind: 'read', host: mapping.hostOffset + at }
                : { offset: offset + at, length: sub, kind: 'zero' },
            );
          }
          break;
      }
      for (const piece of out) {
        const run = runs.push(piece);
        if (run !== undefined) yield run;
      }
    }
    const last = runs.flush();
    if (last !== undefined) yield last;
  }
}

/** The disk's extents; pieces never span L2 tables, and a table's end is a read barrier (see PieceReading). */
function readAll(image: Qcow2Image, source: ByteReader & Partial<RandomAccessSource>): AsyncGenerator<Extent> {
  const { l2Coverage } = image.header;
  return readPieces(pieces(image, source), {
    source,
    decompress: (batch) => decompressBatch(image.header, source, batch),
    batchSize: COMPRESSED_BATCH,
    what: 'qcow2 data cluster',
    truncated: 'format.qcow2.truncated',
    barrier: (piece) => (piece.offset + piece.length) % l2Coverage === 0,
  });
}

async function* decompressBatch(
  header: Qcow2Header,
  source: ByteReader & Partial<RandomAccessSource>,
  batch: CompressedPiece<{ hostLength: number }>[],
): AsyncGenerator<Extent> {
  const first = batch[0]!.host;
  const ascending = batch.every((p, i) => i === 0 || p.host >= batch[i - 1]!.host);
  const spanEnd = Math.max(...batch.map((p) => p.host + p.hostLength));
  // The stored length is rounded up to whole sectors and may run past the end of the file,
  // which qemu reads as zeros; so these reads may come back short.
  const span = ascending && spanEnd - first <= MAX_RUN + 2 * header.clusterSize ? await readPooled(source, first, spanEnd - first) : undefined;
  const inputs: Buffer[] = [];
  for (const p of batch) inputs.push(span !== undefined ? span.subarray(p.host - first, p.host - first + p.hostLength) : await source.read(p.host, p.hostLength));
  const decompress = header.compression === 'zstd' ? unzstdQcow2Cluster : inflateQcow2Cluster;
  const extents = batch.flatMap((piece, i) => [...splitZeros(piece.offset, decompress(inputs[i]!, header.clusterSize).subarray(0, piece.length))]);
  // Decompression copied everything out of the span, which can be read into again.
  if (span !== undefined) source.pool?.lend(span, 0);
  yield* extents;
}
