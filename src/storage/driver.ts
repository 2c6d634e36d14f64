/**
 * The storage driver contract. Every store (files, S3-compatible object storage) implements
 * exactly this, and the shared conformance suite (storage/testing/) holds them to it.
 *
 * Keys are relative, slash-separated, and match KEY_PATTERN; a driver never sees anything
 * else. Data written through a BlobWriter becomes readable only when commit() resolves, so a
 * failed or abandoned upload is never visible and abort() leaves nothing behind.
 */
import type { Readable, Writable } from 'node:stream';

export const KEY_PATTERN = /^[a-z0-9][a-z0-9._-]*(\/[a-z0-9][a-z0-9._-]*)*$/;

export interface BlobStat {
  size: number;
  modifiedAt: Date;
}

/** Inclusive byte range, as in HTTP. */
export interface ByteRange {
  start: number;
  end: number;
}

export interface BlobWriter {
  /** Pipe the bytes in; honours back-pressure. Ends when the source ends. */
  readonly stream: Writable;
  /** Bytes the driver has accepted so far. */
  readonly bytesWritten: number;
  /**
   * Make the written bytes durable and visible under the key. Call once, after `stream`
   * finished; if the stream failed or has not finished it rejects and discards the bytes.
   */
  commit(): Promise<void>;
  /** Discard everything written. Safe to call more than once, and a no-op after commit. */
  abort(): Promise<void>;
}

export interface StorageDriver {
  /** The store's id as shown to users (e.g. `local`). */
  readonly name: string;
  stat(key: string): Promise<BlobStat | undefined>;
  /** Whole-object read, for small objects only (manifests, markers); never image data. */
  get(key: string): Promise<Buffer | undefined>;
  /** Whole-object atomic write, for small objects only. */
  put(key: string, data: Buffer): Promise<void>;
  /**
   * Stream the object or one range of it. Throws NotFoundError when absent, and
   * RangeNotSatisfiableError when the range starts past the end (an end past it is cut short).
   */
  createReadStream(key: string, range?: ByteRange): Promise<Readable>;
  /** Start a staged write to `key`; nothing is visible until commit(). */
  createWriter(key: string): Promise<BlobWriter>;
  /** Remove the object; removing an absent key is not an error. */
  delete(key: string): Promise<void>;
  /** Every committed key under the prefix (staging areas excluded). */
  list(prefix: string): AsyncIterable<string>;
  /** Remove staged writes older than the cutoff (left by crashes); returns how many. */
  purgeStaging(olderThan: Date): Promise<number>;
}
