/**
 * Shared walk for formats whose disk is an array of equal blocks, each either absent (reads
 * as zeros) or stored whole at some file offset: VHD dynamic, VDI, VHDX. The format reader
 * decodes its table; this turns it into extents, reading host-contiguous blocks together.
 *
 * Blocks are large (1 to 256 MiB) and often only partly written, so the map reads allocated
 * blocks and reports their zero parts exactly; otherwise a layout-first writer would allocate
 * (and write) every zero byte of a partly used block.
 */
import { dataBytes, readPooled } from './buffer-pool.js';
import { withoutData, type Extent, type SeekableDisk } from './disk.js';
import { exactly, type RandomAccessSource } from './source.js';
import { mergeZeros, splitZeros } from './zero.js';

const MAX_RUN = 4 * 1024 * 1024;

export interface BlockTable {
  readonly format: string;
  readonly size: number;
  readonly blockSize: number;
  /** File offset of block `index`, or undefined when it reads as zeros. */
  hostOffset(index: number): number | undefined;
}

type Piece = { offset: number; length: number; host: number | undefined };

export function blockTableDisk(source: RandomAccessSource, table: BlockTable): SeekableDisk {
  return {
    size: table.size,
    seekable: true,
    extents: () => mergeZeros(readPieces(source, table)),
    map: () => mergeZeros(withoutData(readPieces(source, table))),
  };
}

function* pieces(table: BlockTable): Generator<Piece> {
  const { size, blockSize } = table;
  let pending: Piece | undefined;
  for (let index = 0; index * blockSize < size; index++) {
    const offset = index * blockSize;
    const length = Math.min(blockSize, size - offset);
    const host = table.hostOffset(index);
    for (let at = 0; at < length; at += MAX_RUN) {
      const piece = { offset: offset + at, length: Math.min(MAX_RUN, length - at), host: host === undefined ? undefined : host + at };
      if (pending !== undefined && joins(pending, piece)) {
        pending.length += piece.length;
        continue;
      }
      if (pending !== undefined) yield pending;
      pending = piece;
    }
  }
  if (pending !== undefined) yield pending;
}

function joins(a: Piece, b: Piece): boolean {
  if (a.host === undefined || b.host === undefined) return a.host === b.host;
  return a.host + a.length === b.host && a.length + b.length <= MAX_RUN;
}

async function* readPieces(source: RandomAccessSource, table: BlockTable): AsyncGenerator<Extent> {
  for (const { offset, length, host } of pieces(table)) {
    if (host === undefined) {
      yield { offset, length, kind: 'zero' };
      continue;
    }
    const bytes = exactly(await readPooled(source, host, length), host, length, `${table.format} data block`, `format.${table.format}.truncated`);
    const extents = [...splitZeros(offset, bytes)];
    source.pool?.lend(bytes, dataBytes(extents));
    yield* extents;
  }
}
