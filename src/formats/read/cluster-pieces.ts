/**
 * What the table-driven sparse readers (qcow2, sparse VMDK) share once a table entry has been
 * decoded: the guest range it maps, as a piece that is zero, a plain host read, or a compressed
 * cluster; neighbouring pieces joined into runs; and the runs read a few ahead of the consumer,
 * compressed pieces a batch at a time, so that reading overlaps decoding and writing.
 */
import { dataBytes, readPooled } from './buffer-pool.js';
import type { Extent, MapExtent } from './disk.js';
import { collect, InOrder } from './in-order.js';
import { exactly, type ByteReader, type RandomAccessSource } from './source.js';
import { splitZeros } from './zero.js';

/** Longest host-contiguous run read at once. */
export const MAX_RUN = 4 * 1024 * 1024;
/** Reads kept going ahead of the one being yielded. */
const JOBS_AHEAD = 3;

export type ZeroPiece = { offset: number; length: number; kind: 'zero' };
export type ReadPiece = { offset: number; length: number; kind: 'read'; host: number };
export type CompressedPiece<C> = { offset: number; length: number; kind: 'compressed'; host: number } & C;
export type Piece<C = object> = ZeroPiece | ReadPiece | CompressedPiece<C>;

/** Joins each piece to the one before when both are zero, or host-contiguous reads within MAX_RUN. */
export class PieceJoiner<C> {
  private pending: Piece<C> | undefined;

  /** Adds a piece; returns the run it completed, if any. */
  push(piece: Piece<C>): Piece<C> | undefined {
    const last = this.pending;
    if (last !== undefined && joinable(last, piece)) {
      last.length += piece.length;
      return undefined;
    }
    this.pending = piece;
    return last;
  }

  /** The run still open, once the table's entries are all pushed. */
  flush(): Piece<C> | undefined {
    const last = this.pending;
    this.pending = undefined;
    return last;
  }
}

function joinable<C>(a: Piece<C>, b: Piece<C>): boolean {
  if (a.kind === 'zero' && b.kind === 'zero') return true;
  return a.kind === 'read' && b.kind === 'read' && a.host + a.length === b.host && a.length + b.length <= MAX_RUN;
}

/** The allocation map the pieces describe. */
export async function* mapPieces<C>(pieces: AsyncIterable<Piece<C>>): AsyncGenerator<MapExtent> {
  for await (const { offset, length, kind } of pieces) yield { offset, length, kind: kind === 'zero' ? 'zero' : 'data' };
}

export interface PieceReading<C> {
  source: ByteReader & Partial<RandomAccessSource>;
  /** Decodes a batch of compressed pieces into extents. */
  decompress(batch: CompressedPiece<C>[]): AsyncIterable<Extent>;
  /** Compressed pieces decoded together. */
  batchSize: number;
  /** Names the format in truncation errors (`qcow2 data cluster`, `format.qcow2.truncated`). */
  what: string;
  truncated: string;
  /**
   * A piece after which everything queued is read before the next piece is pulled (qcow2 at a
   * table's end: pulling on reads the next table, which a streamed file holds after these).
   */
  barrier?: (piece: Piece<C>) => boolean;
}

/** The extents of the pieces, in order, read ahead of the consumer. */
export async function* readPieces<C>(pieces: AsyncIterable<Piece<C>>, reading: PieceReading<C>): AsyncGenerator<Extent> {
  const ahead = new InOrder<Extent[]>();
  let batch: CompressedPiece<C>[] = [];
  const submit = () => {
    if (batch.length > 0) ahead.push(collect(reading.decompress(batch)));
    batch = [];
  };
  for await (const piece of pieces) {
    const barrier = reading.barrier?.(piece) ?? false;
    if (piece.kind === 'compressed') {
      batch.push(piece);
      if (batch.length < reading.batchSize && !barrier) continue;
      submit();
    } else {
      submit();
      ahead.push(piece.kind === 'zero' ? Promise.resolve([piece]) : readRun(piece, reading));
    }
    for await (const extents of ahead.drain(barrier ? 0 : JOBS_AHEAD - 1)) yield* extents;
  }
  submit();
  for await (const extents of ahead.drain()) yield* extents;
}

/** A host-contiguous run of plain clusters, split where it holds zeros; its slab is lent for the data. */
async function readRun<C>(piece: ReadPiece, { source, what, truncated }: PieceReading<C>): Promise<Extent[]> {
  const bytes = exactly(await readPooled(source, piece.host, piece.length), piece.host, piece.length, what, truncated);
  const extents = [...splitZeros(piece.offset, bytes)];
  source.pool?.lend(bytes, dataBytes(extents));
  return extents;
}
