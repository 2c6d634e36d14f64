/**
 * The write side of a staged object: a Writable over an open file that is durable when it
 * finishes (fsync in _final), so commit only has to rename it into place.
 *
 * Incoming chunks (64 KiB from a socket) are gathered into batches of BATCH_BYTES and written
 * with one positioned writev each, one batch in flight while the next fills: a thread-pool
 * round-trip per socket chunk cost more CPU than the copy itself on the upload path. Every
 * SYNC_BYTES a datasync runs in the background, so dirty pages never pile up behind a large
 * upload and the final fsync (which the client waits for) stays short whatever the size.
 *
 * Batches are small (4 socket chunks) because what they hold are socket read buffers: one
 * kept past two young-generation collections is promoted, and then only a full collection
 * frees it. With 1 MiB batches (and as high a highWaterMark), 4 concurrent uploads peaked
 * 40-50 MB higher in RSS; 256 KiB cost no measurable throughput, 128 KiB saved no more and
 * ran slower. For the same reason the queue in front of a batch is one socket chunk deep
 * (highWaterMark), not a batch: a chunk waits there while the previous batch is written.
 * Copying each chunk into two reused batch buffers (so socket buffers die at once) was
 * measured twice: once it slowed a 1 GiB upload by a quarter, later it changed neither
 * throughput nor peak RSS. docs/benchmarks.md has the figures.
 *
 * Chunks are kept by reference until written, as any Writable may: producers must not reuse
 * a buffer they have written.
 */
import type { FileHandle } from 'node:fs/promises';
import { Writable } from 'node:stream';
import { dropWritten } from '../lib/drop-written.js';
import { toStorageError } from './fs-errors.js';

const BATCH_BYTES = 256 * 1024;
const QUEUE_BYTES = 64 * 1024;
/**
 * A slow client's bytes still reach the file within this long, so its mtime keeps moving and
 * purgeStaging never mistakes a live upload for one a crash left behind.
 */
const BATCH_MAX_AGE_MS = 1000;
const SYNC_BYTES = 64 * 1024 * 1024;

type Callback = (error?: Error | null) => void;

export class StagingFile extends Writable {
  private batch: Buffer[] = [];
  private batched = 0;
  private accepted = 0;
  /** File offset of the next batch. */
  private position = 0;
  private syncedTo = 0;
  /** The batch being written; at most one, so writes land in order. */
  private writing: Promise<void> = Promise.resolve();
  private syncing: Promise<void> = Promise.resolve();
  private syncFailure: Error | null = null;
  private lastBatchAt = Date.now();

  constructor(private readonly handle: FileHandle) {
    super({ highWaterMark: QUEUE_BYTES });
  }

  /** Bytes written into the stream so far (some may still be on their way to the file). */
  get bytesAccepted(): number {
    return this.accepted;
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: Callback): void {
    this.accepted += chunk.length;
    this.batch.push(chunk);
    this.batched += chunk.length;
    if (this.batched < BATCH_BYTES && Date.now() - this.lastBatchAt < BATCH_MAX_AGE_MS) return callback();
    this.startBatch().then(() => callback(), callback);
  }

  override _final(callback: Callback): void {
    this.startBatch()
      .then(() => this.writing)
      .then(() => this.syncing)
      .then(() => {
        // Linux reports a writeback error to one sync only: a failed background one counts.
        if (this.syncFailure) throw this.syncFailure;
        return this.handle.sync();
      })
      .then(() => callback(), (err: unknown) => callback(toStorageError(err, 'write an object')));
  }

  override _destroy(error: Error | null, callback: Callback): void {
    // Let the write and sync in flight settle before closing the descriptor under them.
    Promise.allSettled([this.writing, this.syncing])
      .then(() => this.handle.close())
      .then(() => callback(error), (err: unknown) => callback(error ?? toStorageError(err, 'close an object')));
  }

  /** Waits for the batch in flight (surfacing its failure), then starts writing this one. */
  private async startBatch(): Promise<void> {
    await this.writing;
    if (this.syncFailure) throw this.syncFailure;
    if (this.batched === 0) return;
    this.lastBatchAt = Date.now();
    const buffers = this.batch;
    const position = this.position;
    this.position += this.batched;
    this.batch = [];
    this.batched = 0;
    this.writing = this.writeAll(buffers, position);
    // Observed by the next startBatch or _final; this only keeps it from counting as unhandled.
    this.writing.catch(() => undefined);
  }

  private async writeAll(buffers: Buffer[], position: number): Promise<void> {
    try {
      while (buffers.length > 0) {
        const { bytesWritten } = await this.handle.writev(buffers, position);
        if (bytesWritten === 0) throw new Error('writev wrote nothing');
        position += bytesWritten;
        buffers = dropWritten(buffers, bytesWritten);
      }
    } catch (err) {
      throw toStorageError(err, 'write an object');
    }
    if (position - this.syncedTo >= SYNC_BYTES) this.syncInBackground(position);
  }

  private syncInBackground(position: number): void {
    this.syncedTo = position;
    this.syncing = this.syncing.then(() => this.handle.datasync()).catch((err: unknown) => {
      this.syncFailure ??= toStorageError(err, 'write an object');
    });
  }
}
