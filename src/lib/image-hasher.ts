/**
 * Hashes image data in flight with md5 (Glance's `checksum`) and sha512 (`os_hash_value`).
 * One core can do either hash at about the speed of a local disk, but not both: md5 runs on
 * the calling thread while sha512 runs in a pooled worker thread, so an upload is bounded by
 * the slower hash rather than their sum. md5 is the slower of the two, so the calling thread
 * sets the pace and never waits on the worker; measured on 2 vCPUs, sha512 here with md5 in
 * the worker, or both hashes in workers, were slower and less steady.
 */
import { createHash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import type { HashingStage, HashingStageFactory } from '../services/ports.js';
import { HashWorker } from './hash-worker.js';

export interface ImageDigests {
  md5: string;
  sha512: string;
  size: number;
}

/**
 * A pass-through stage: every chunk is hashed, then passed on unchanged. It holds at most one
 * chunk plus the worker's ring, and waits for the ring when the worker falls behind.
 */
export class ImageHashStage extends Transform implements HashingStage {
  private readonly md5 = createHash('md5');
  private size = 0;
  /** The sha512 worker until it goes back to the pool (at the end, or when destroyed). */
  private sha512: HashWorker | null;
  private readonly result: Promise<ImageDigests>;
  private settle!: { resolve(digests: ImageDigests): void; reject(err: Error): void };

  constructor(sha512: HashWorker, private readonly release: (worker: HashWorker) => void) {
    super();
    this.sha512 = sha512;
    sha512.begin();
    this.result = new Promise((resolve, reject) => { this.settle = { resolve, reject }; });
    // Callers that never ask for the digests (a failed upload) must not see an unhandled rejection.
    this.result.catch(() => undefined);
  }

  /** The digests and byte count; settles once the stream has ended (or failed). */
  digests(): Promise<ImageDigests> {
    return this.result;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.size += chunk.length;
    // md5 first: the callback may run synchronously and start the next chunk at once.
    this.md5.update(chunk);
    this.sha512!.write(chunk, (err) => (err ? callback(err) : callback(null, chunk)));
  }

  override _flush(callback: TransformCallback): void {
    this.sha512!.end().then((sha512) => {
      this.giveBack();
      this.settle.resolve({ md5: this.md5.digest('hex'), sha512, size: this.size });
      callback();
    }, (err: Error) => callback(err));
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    if (this.sha512) {
      this.sha512.abandon();
      this.giveBack();
    }
    this.settle.reject(error ?? new Error('the image stream was closed before it ended'));
    callback(error);
  }

  private giveBack(): void {
    const worker = this.sha512!;
    this.sha512 = null;
    this.release(worker);
  }
}

/**
 * Creates hashing stages and owns their workers: one per upload in flight, kept for reuse up
 * to `maxIdle`. Create one per process and close it on shutdown.
 */
export class ImageHasherPool implements HashingStageFactory {
  private readonly idle: HashWorker[] = [];
  private readonly all = new Set<HashWorker>();
  private closed = false;

  constructor(private readonly options: { maxIdle?: number } = {}) {}

  create(): ImageHashStage {
    if (this.closed) throw new Error('the image hasher pool is closed');
    let worker = this.idle.pop();
    while (worker && !worker.healthy) {
      this.discard(worker);
      worker = this.idle.pop();
    }
    if (!worker) {
      worker = new HashWorker('sha512');
      this.all.add(worker);
    }
    return new ImageHashStage(worker, (w) => this.release(w));
  }

  /** Workers currently started, idle or busy (for tests and metrics). */
  get size(): number {
    return this.all.size;
  }

  /** Stops every worker; stages still running fail instead of hanging. */
  async close(): Promise<void> {
    this.closed = true;
    this.idle.length = 0;
    const workers = [...this.all];
    this.all.clear();
    await Promise.all(workers.map((w) => w.terminate()));
  }

  private release(worker: HashWorker): void {
    if (this.closed || !worker.healthy || this.idle.length >= (this.options.maxIdle ?? 4)) this.discard(worker);
    else this.idle.push(worker);
  }

  private discard(worker: HashWorker): void {
    this.all.delete(worker);
    void worker.terminate();
  }
}
