/**
 * Hashes image data in flight with md5 (Glance's `checksum`) and sha512 (`os_hash_value`).
 * One core can do either hash at about the speed of a local disk, but not both: md5 runs on
 * the calling thread while sha512 runs in a worker thread, so an upload is bounded by the
 * slower hash rather than their sum. md5 is the slower of the two, so the calling thread sets
 * the pace and never waits on the worker; measured on 2 vCPUs, sha512 here with md5 in the
 * worker, or both hashes in workers, were slower and less steady.
 *
 * Concurrent uploads share the workers rather than getting one each: all their md5s run on
 * the one calling thread anyway, so sha512 threads beyond the spare cores add no throughput,
 * only memory (about 10 MB per thread). Each upload gets its own lane (1 MiB) in a worker.
 */
import { createHash } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { Transform, type TransformCallback } from 'node:stream';
import type { HashingStage, HashingStageFactory } from '../services/ports.js';
import { HashWorker, type HashStream } from './hash-worker.js';
import type { YoungGenerationReclaimer } from './young-gc.js';

export interface ImageDigests {
  md5: string;
  sha512: string;
  size: number;
}

/**
 * A pass-through stage: every chunk is hashed, then passed on unchanged. It holds at most one
 * chunk plus its lane, and waits for the lane when the worker falls behind.
 */
export class ImageHashStage extends Transform implements HashingStage {
  private readonly md5 = createHash('md5');
  private size = 0;
  /** The sha512 stream until it ends or the stage is destroyed. */
  private sha512: HashStream | null;
  private readonly result: Promise<ImageDigests>;
  private settle!: { resolve(digests: ImageDigests): void; reject(err: Error): void };

  constructor(sha512: HashStream, private readonly reclaimer?: YoungGenerationReclaimer) {
    super();
    this.sha512 = sha512;
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
    this.reclaimer?.passed(chunk.length);
    // md5 first: the callback may run synchronously and start the next chunk at once.
    this.md5.update(chunk);
    this.feed(chunk, chunk, callback);
  }

  override _flush(callback: TransformCallback): void {
    this.sha512!.end().then((sha512) => {
      this.sha512 = null;
      this.settle.resolve({ md5: this.md5.digest('hex'), sha512, size: this.size });
      callback();
    }, (err: Error) => callback(err));
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.sha512?.abandon();
    this.sha512 = null;
    this.settle.reject(error ?? new Error('the image stream was closed before it ended'));
    callback(error);
  }

  /**
   * Copies `rest` (the part of `chunk` not yet in the lane) to the worker, then passes `chunk`
   * on. Only a full lane costs a closure; the usual chunk goes through synchronously.
   */
  private feed(chunk: Buffer, rest: Uint8Array, callback: TransformCallback): void {
    let left: Uint8Array | null;
    try {
      left = this.sha512!.write(rest);
    } catch (err) {
      return callback(err as Error);
    }
    if (left === null) return callback(null, chunk);
    const remainder = left;
    this.sha512!.whenRoom((err) => (err ? callback(err) : this.feed(chunk, remainder, callback)));
  }
}

export interface ImageHasherPoolOptions {
  /** sha512 threads at most; by default the cores beside the event loop's, and at least one. */
  maxWorkers?: number;
  /** Threads kept once they have no upload, ready for the next; 1 by default. */
  maxIdle?: number;
  /** Starts a thread; `onIdle` must run when its last stream is released (tests wrap this). */
  startWorker?: (onIdle: (worker: HashWorker) => void) => HashWorker;
  /** Told of every byte hashed: all upload data passes through these stages. */
  reclaimer?: YoungGenerationReclaimer;
}

/**
 * Creates hashing stages and owns their workers: started on demand up to `maxWorkers`, each
 * upload on the least busy one. Create one per process and close it on shutdown.
 */
export class ImageHasherPool implements HashingStageFactory {
  private readonly workers = new Set<HashWorker>();
  private readonly maxWorkers: number;
  private readonly maxIdle: number;
  private readonly startWorker: (onIdle: (worker: HashWorker) => void) => HashWorker;
  private readonly reclaimer: YoungGenerationReclaimer | undefined;
  private closed = false;

  constructor(options: ImageHasherPoolOptions = {}) {
    this.maxWorkers = Math.max(1, options.maxWorkers ?? availableParallelism() - 1);
    this.maxIdle = options.maxIdle ?? 1;
    this.startWorker = options.startWorker ?? ((onIdle) => new HashWorker('sha512', onIdle));
    this.reclaimer = options.reclaimer;
  }

  create(): ImageHashStage {
    if (this.closed) throw new Error('the image hasher pool is closed');
    let chosen: HashWorker | undefined;
    for (const worker of this.workers) {
      // A failed worker's streams have failed with it; the next upload gets a new one.
      if (!worker.healthy) this.discard(worker);
      else if (!chosen || worker.streams < chosen.streams) chosen = worker;
    }
    if (!chosen || (chosen.streams > 0 && this.workers.size < this.maxWorkers)) {
      chosen = this.startWorker((worker) => this.idle(worker));
      this.workers.add(chosen);
    }
    return new ImageHashStage(chosen.openStream(), this.reclaimer);
  }

  /** Workers currently started, idle or busy (for tests and metrics). */
  get size(): number {
    return this.workers.size;
  }

  /** Stops every worker; stages still running fail instead of hanging. */
  async close(): Promise<void> {
    this.closed = true;
    const workers = [...this.workers];
    this.workers.clear();
    await Promise.all(workers.map((w) => w.terminate()));
  }

  private idle(worker: HashWorker): void {
    if (!this.workers.has(worker)) return;
    const idle = [...this.workers].filter((w) => w.streams === 0).length;
    if (!worker.healthy || idle > this.maxIdle) this.discard(worker);
  }

  private discard(worker: HashWorker): void {
    this.workers.delete(worker);
    void worker.terminate();
  }
}
