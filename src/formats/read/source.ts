/**
 * Byte sources readers work on. A reader is written once against `ByteReader`; given a file it
 * can read anywhere, given a stream (forward-source.ts) it must ask for offsets in order.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { InvalidImageDataError } from '../../domain/errors.js';
import type { BufferPool } from './buffer-pool.js';
import { startScanThread, type ScanThread } from './scan-thread.js';

export interface ByteReader {
  /** Bytes at [offset, offset + length); shorter only when the source ends first. */
  read(offset: number, length: number): Promise<Buffer>;
}

/** A source of known size that can be read anywhere (a file, a ranged object-store read). */
export interface RandomAccessSource extends ByteReader {
  readonly size: number;
  /**
   * Optional: fills `target` from `offset` and returns the byte count. Lets scanning passes
   * reuse their buffers instead of allocating (and page-faulting) fresh ones for every read.
   */
  readInto?(target: Buffer, offset: number): Promise<number>;
  /** Optional: slabs for data reads that the consumer hands back once written (buffer-pool.ts). */
  readonly pool?: BufferPool;
  /**
   * Optional: starts a thread that reads the source and checks it for zeros, data in slabs of
   * `pool` (scan-thread.ts).
   */
  startScanThread?(): ScanThread;
}

export interface FileSource extends RandomAccessSource {
  close(): Promise<void>;
}

export async function openFileSource(path: string, pool?: BufferPool): Promise<FileSource> {
  const handle: FileHandle = await open(path, 'r');
  try {
    const { size } = await handle.stat();
    const readInto = async (target: Buffer, offset: number): Promise<number> => {
      const want = Math.max(0, Math.min(target.length, size - offset));
      let done = 0;
      while (done < want) {
        const { bytesRead } = await handle.read(target, done, want - done, offset + done);
        if (bytesRead === 0) break;
        done += bytesRead;
      }
      return done;
    };
    return {
      size,
      readInto,
      ...(pool === undefined ? {} : { pool, startScanThread: () => startScanThread(handle.fd, size, pool) }),
      async read(offset, length) {
        const buffer = Buffer.allocUnsafe(Math.max(0, Math.min(length, size - offset)));
        const done = await readInto(buffer, offset);
        return done === buffer.length ? buffer : buffer.subarray(0, done);
      },
      close: () => handle.close(),
    };
  } catch (error) {
    await handle.close();
    throw error;
  }
}

/** Reads metadata that must be there in full; a short read means the file was cut. */
export async function readExact(source: ByteReader, offset: number, length: number, what: string, reason: string): Promise<Buffer> {
  return exactly(await source.read(offset, length), offset, length, what, reason);
}

/** `bytes` read for [offset, offset + length), refused if the source ended first. */
export function exactly(bytes: Buffer, offset: number, length: number, what: string, reason: string): Buffer {
  if (bytes.length !== length) {
    throw new InvalidImageDataError(`${what} at offset ${offset} lies beyond the end of the image`, { reason });
  }
  return bytes;
}

/** u64 fields as numbers; anything past 2^53 cannot be a real offset or size in this service. */
export function safeU64(value: bigint, what: string, reason: string): number {
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new InvalidImageDataError(`${what} is out of range (${value})`, { reason });
  }
  return Number(value);
}
