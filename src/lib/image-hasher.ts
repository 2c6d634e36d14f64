/**
 * Hashes image data in flight with md5 (Glance's `checksum`) and sha512 (`os_hash_value`).
 * One core can do each at roughly the speed of the disk, but not both: md5 runs on the
 * calling thread while sha512 runs in a worker thread, so an upload is bounded by the slower
 * hash rather than their sum. Workers are pooled (one per upload in flight, reused).
 *
 * Chunks are copied into the worker's message (structured clone), so the stream may reuse
 * its buffers; at most MAX_IN_FLIGHT chunks wait for the worker, which bounds memory.
 */
import { createHash, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { Worker } from 'node:worker_threads';
import type { HashingStage, HashingStageFactory } from '../services/ports.js';

/** The worker body, evaluated as CommonJS so it runs the same from tsx and from dist/. */
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { createHash } = require('node:crypto');
let hash = null;
parentPort.on('message', (msg) => {
  if (msg.type === 'start') { hash = createHash('sha512'); return; }
  if (msg.type === 'data') { hash.update(msg.chunk); parentPort.postMessage({ type: 'ack' }); return; }
  if (msg.type === 'end') { parentPort.postMessage({ type: 'digest', digest: hash.digest('hex') }); hash = null; }
});
`;

const MAX_IN_FLIGHT = 8;

type Pending = { resolve: (digest: string) => void; reject: (err: Error) => void };

/** One sha512 worker; handles one stream at a time. */
class Sha512Worker {
  private readonly worker = new Worker(WORKER_SOURCE, { eval: true });
  private inFlight = 0;
  private waiting: (() => void) | null = null;
  private pending: Pending | null = null;
  private failure: Error | null = null;

  constructor() {
    this.worker.on('message', (msg: { type: string; digest?: string }) => {
      if (msg.type === 'ack') {
        this.inFlight--;
        const wake = this.waiting;
        this.waiting = null;
        wake?.();
      } else if (msg.type === 'digest') {
        this.pending?.resolve(msg.digest!);
        this.pending = null;
      }
    });
    this.worker.on('error', (err) => this.fail(err));
    this.worker.on('exit', (code) => this.fail(new Error(`sha512 worker exited with code ${code}`)));
    this.worker.unref();
  }

  get healthy(): boolean {
    return this.failure === null;
  }

  start(): void {
    this.inFlight = 0;
    this.worker.postMessage({ type: 'start' });
  }

  /** Hands a chunk to the worker (copied), returning at once so the caller can work meanwhile. */
  send(chunk: Buffer): void {
    if (this.failure) return;
    this.inFlight++;
    this.worker.postMessage({ type: 'data', chunk });
  }

  /** Calls `ready` once another chunk may be sent: the back-pressure on the worker's queue. */
  whenReady(ready: (err?: Error) => void): void {
    if (this.failure || this.inFlight < MAX_IN_FLIGHT) return ready(this.failure ?? undefined);
    this.waiting = () => ready(this.failure ?? undefined);
  }

  digest(): Promise<string> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.pending = { resolve, reject };
      this.worker.postMessage({ type: 'end' });
    });
  }

  async terminate(): Promise<void> {
    this.failure ??= new Error('hasher closed');
    await this.worker.terminate();
  }

  private fail(err: Error): void {
    this.failure ??= err;
    this.pending?.reject(err);
    this.pending = null;
    const wake = this.waiting;
    this.waiting = null;
    wake?.();
  }
}

class ParallelHashStage extends Transform implements HashingStage {
  private readonly md5: Hash = createHash('md5');
  private size = 0;
  private result: Promise<{ md5: string; sha512: string; size: number }> | null = null;

  constructor(private readonly sha512: Sha512Worker, private readonly release: (worker: Sha512Worker) => void) {
    super({ highWaterMark: 1 });
    sha512.start();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.size += chunk.length;
    this.sha512.send(chunk);
    this.md5.update(chunk);
    this.sha512.whenReady((err) => (err ? callback(err) : callback(null, chunk)));
  }

  override _flush(callback: TransformCallback): void {
    this.result = this.sha512.digest().then((sha512) => ({ md5: this.md5.digest('hex'), sha512, size: this.size }));
    this.result.then(() => { this.release(this.sha512); callback(); }, (err: Error) => callback(err));
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    // A stream destroyed mid-way leaves its worker mid-hash: retire that worker.
    if (this.result === null) void this.sha512.terminate();
    callback(error);
  }

  digests(): Promise<{ md5: string; sha512: string; size: number }> {
    return this.result ?? Promise.reject(new Error('the stream has not finished'));
  }
}

export class ImageHasherPool implements HashingStageFactory {
  private readonly idle: Sha512Worker[] = [];
  private closed = false;

  create(): HashingStage {
    let worker = this.idle.pop();
    while (worker && !worker.healthy) worker = this.idle.pop();
    return new ParallelHashStage(worker ?? new Sha512Worker(), (w) => this.release(w));
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.idle.splice(0).map((w) => w.terminate()));
  }

  private release(worker: Sha512Worker): void {
    if (this.closed || !worker.healthy || this.idle.length >= 4) void worker.terminate();
    else this.idle.push(worker);
  }
}
