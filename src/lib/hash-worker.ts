/**
 * One hashing worker thread and the main-thread handle that feeds it.
 *
 * Bytes reach the worker through a ring of fixed slots in a SharedArrayBuffer: the main thread
 * copies each chunk in once and publishes full slots by bumping a counter; the worker hashes
 * published slots in place and bumps its own counter. No message crosses the threads in steady
 * state: posting every chunk to the worker cost more than the hash itself. The ring is the only
 * buffer, so memory stays bounded whatever the image size, and a writer that finds it full
 * waits for a slot: that is the back-pressure.
 *
 * Each slot carries its length and two flags: FIRST starts a new hash, LAST asks for the
 * digest. A hash abandoned half-way (the upload failed) is simply replaced by the next FIRST,
 * so a worker is reused without a reset round-trip.
 *
 * While a hash runs, a caught-up worker naps on a short timeout instead of being woken by the
 * main thread. Waking a thread from another CPU invites the scheduler to pull it onto the
 * waker's CPU (small VMs pack vCPUs this way), which serialised both hashes on one core and
 * halved throughput in measurements; a timer wake-up leaves the worker where it runs. After
 * NAPS idle naps (a stalled client) it sleeps until notified, so an idle worker costs nothing.
 */
import { Worker } from 'node:worker_threads';

const SLOTS = 16; // a power of two, so wrapping 32-bit counters still index slots correctly
const SLOT_BYTES = 256 * 1024;
const NAP_MS = 1;
const NAPS = 50;
/** A worker that consumes nothing for this long while we wait on it is stuck: fail, don't hang. */
const STALL_MS = 15_000;
const FIRST = 1 << 29;
const LAST = 1 << 30;
const LENGTH_MASK = FIRST - 1;
// Control words: published and consumed slot counters, "main waits for room", "worker sleeps
// until notified", then one length-and-flags word per slot.
const HEAD = 0;
const TAIL = 1;
const WAITING = 2;
const SLEEPING = 3;
const LENGTHS = 4;
const LAYOUT = { SLOTS, SLOT_BYTES, NAP_MS, NAPS, FIRST, LAST, LENGTH_MASK, HEAD, TAIL, WAITING, SLEEPING, LENGTHS };

/**
 * The worker body: plain CommonJS evaluated from a string, so the same code runs under tsx
 * (tests) and from dist/ (production) with no loader or file lookup. It never returns to its
 * event loop; terminate() interrupts Atomics.wait.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const { algorithm, control, ring, layout } = workerData;
const { SLOTS, SLOT_BYTES, NAP_MS, NAPS, FIRST, LAST, LENGTH_MASK, HEAD, TAIL, WAITING, SLEEPING, LENGTHS } = layout;
const words = new Int32Array(control);
const bytes = new Uint8Array(ring);
let hash = null;
let tail = Atomics.load(words, TAIL);
let naps = 0;
for (;;) {
  if (Atomics.load(words, HEAD) === tail) {
    if (hash !== null && naps < NAPS) {
      naps++;
      Atomics.wait(words, HEAD, tail, NAP_MS);
    } else {
      // Raise the flag, then wait only if still nothing: the main thread either published
      // before the wait (it returns at once) or sees the flag and notifies.
      Atomics.store(words, SLEEPING, 1);
      Atomics.wait(words, HEAD, tail);
      Atomics.store(words, SLEEPING, 0);
    }
    continue;
  }
  naps = 0;
  const head = Atomics.load(words, HEAD);
  while (tail !== head) {
    const slot = tail & (SLOTS - 1);
    const word = words[LENGTHS + slot];
    if (word & FIRST) hash = createHash(algorithm);
    const start = slot * SLOT_BYTES;
    hash.update(bytes.subarray(start, start + (word & LENGTH_MASK)));
    if (word & LAST) {
      parentPort.postMessage({ digest: hash.digest('hex') });
      hash = null;
    }
    tail = (tail + 1) | 0;
    Atomics.store(words, TAIL, tail);
    if (Atomics.exchange(words, WAITING, 0) === 1) parentPort.postMessage({ room: true });
  }
}
`;

type Callback = (err?: Error) => void;
type DigestWaiter = { resolve(hex: string): void; reject(err: Error): void };
const DROPPED: DigestWaiter = { resolve: () => undefined, reject: () => undefined };

/** The main-thread side of one worker; serves one hash at a time (begin, write…, end). */
export class HashWorker {
  private readonly worker: Worker;
  private readonly words = new Int32Array(new SharedArrayBuffer((LENGTHS + SLOTS) * 4));
  private readonly bytes = new Uint8Array(new SharedArrayBuffer(SLOTS * SLOT_BYTES));
  private head = 0;
  /** Bytes copied into the slot at `head`, which is ours until published. */
  private fill = 0;
  private first = true;
  private failure: Error | null = null;
  /** Set while a write waits for the worker to free a slot. */
  private onRoom: Callback | null = null;
  /** Digests come back in the order LAST slots were published; abandoned ones are dropped. */
  private readonly digestQueue: DigestWaiter[] = [];
  private watchdog: NodeJS.Timeout | null = null;

  constructor(readonly algorithm: string) {
    this.worker = new Worker(WORKER_SOURCE, {
      eval: true,
      // The body is self-contained CommonJS: the parent's flags (a TypeScript loader in tests,
      // --input-type=module) would only slow its start or change how it is parsed.
      execArgv: [],
      workerData: { algorithm, control: this.words.buffer, ring: this.bytes.buffer, layout: LAYOUT },
    });
    this.worker.on('message', (msg: { digest?: string; room?: true }) => {
      if (msg.digest === undefined) return void this.wakeWriter();
      this.digestQueue.shift()?.resolve(msg.digest);
      if (this.digestQueue.length === 0) this.worker.unref();
    });
    this.worker.on('error', (err) => this.fail(err));
    this.worker.on('exit', (code) => this.fail(new Error(`${algorithm} hash worker exited with code ${code}`)));
    // An idle worker must not keep the process alive, but one with a hash running must, or a
    // script awaiting the digest would exit early: begin() refs it, the digest unrefs it.
    this.worker.unref();
  }

  get healthy(): boolean {
    return this.failure === null;
  }

  /** Starts a new hash, discarding whatever an abandoned one left in the worker. */
  begin(): void {
    this.fill = 0;
    this.first = true;
    this.worker.ref();
  }

  /**
   * Copies `chunk` into the ring. `done` runs synchronously when it fitted, or later once the
   * worker has freed enough slots; the caller must not write again before that.
   */
  write(chunk: Uint8Array, done: Callback): void {
    this.copy(chunk, 0, done);
  }

  /** Finishes the hash and resolves with its hex digest. */
  end(): Promise<string> {
    return new Promise((resolve, reject) => {
      const publishLast = (err?: Error): void => {
        const failure = err ?? this.failure;
        if (failure) return reject(failure);
        this.digestQueue.push({ resolve, reject });
        this.publish(LAST);
        this.watch();
      };
      // The last slot carries LAST; with nothing pending, an empty slot carries it.
      if (this.fill > 0) publishLast();
      else this.whenRoom(publishLast);
    });
  }

  /** Gives up on the current hash (a digest already asked for rejects) and idles. */
  abandon(): void {
    this.onRoom = null;
    const abandoned = new Error('the hash was abandoned');
    // The worker still answers for those LAST slots, in order: keep their places in the queue.
    this.digestQueue.forEach((waiter, i) => {
      this.digestQueue[i] = DROPPED;
      waiter.reject(abandoned);
    });
    this.worker.unref();
  }

  async terminate(): Promise<void> {
    this.failure ??= new Error('hash worker closed');
    await this.worker.terminate();
  }

  private copy(chunk: Uint8Array, offset: number, done: Callback): void {
    while (offset < chunk.length) {
      if (this.failure) return done(this.failure);
      if (this.fill === 0 && !this.hasRoom()) {
        return this.whenRoom((err) => (err ? done(err) : this.copy(chunk, offset, done)));
      }
      const n = Math.min(SLOT_BYTES - this.fill, chunk.length - offset);
      this.bytes.set(chunk.subarray(offset, offset + n), (this.head & (SLOTS - 1)) * SLOT_BYTES + this.fill);
      this.fill += n;
      offset += n;
      if (this.fill === SLOT_BYTES) this.publish(0);
    }
    done(this.failure ?? undefined);
  }

  private publish(flags: number): void {
    this.words[LENGTHS + (this.head & (SLOTS - 1))] = this.fill | flags | (this.first ? FIRST : 0);
    this.head = (this.head + 1) | 0;
    this.fill = 0;
    this.first = false;
    Atomics.store(this.words, HEAD, this.head);
    if (Atomics.load(this.words, SLEEPING) === 1) Atomics.notify(this.words, HEAD);
  }

  private hasRoom(): boolean {
    return ((this.head - Atomics.load(this.words, TAIL)) | 0) < SLOTS;
  }

  private whenRoom(ready: Callback): void {
    if (this.failure) return ready(this.failure);
    this.onRoom = ready;
    // Raise the flag, then look again: either we see the freed slot or the worker sees the flag.
    Atomics.store(this.words, WAITING, 1);
    if (!this.wakeWriter()) this.watch();
  }

  /** While something waits on the worker, checks that it keeps consuming slots. */
  private watch(): void {
    if (this.watchdog) return;
    let consumed = Atomics.load(this.words, TAIL);
    this.watchdog = setInterval(() => {
      const now = Atomics.load(this.words, TAIL);
      if (this.onRoom === null && this.digestQueue.length === 0) this.unwatch();
      // Stuck means slots wait and none went; with all consumed, a digest is only in the post.
      else if (now === consumed && now !== this.head) {
        const state = ['HEAD', 'TAIL', 'WAITING', 'SLEEPING'].map((name, i) => `${name}=${Atomics.load(this.words, i)}`).join(' ');
        this.fail(new Error(`${this.algorithm} hash worker made no progress for ${STALL_MS} ms (${state})`));
        void this.worker.terminate();
      }
      consumed = now;
    }, STALL_MS);
    this.watchdog.unref();
  }

  private unwatch(): void {
    if (this.watchdog) clearInterval(this.watchdog);
    this.watchdog = null;
  }

  /** Resumes a waiting writer if there is room now; says whether it did. */
  private wakeWriter(): boolean {
    const wake = this.onRoom;
    if (!wake || !this.hasRoom()) return false;
    this.onRoom = null;
    Atomics.store(this.words, WAITING, 0);
    wake();
    return true;
  }

  private fail(err: Error): void {
    this.failure ??= err;
    this.unwatch();
    const wake = this.onRoom;
    this.onRoom = null;
    for (const waiter of this.digestQueue.splice(0)) waiter.reject(this.failure);
    wake?.(this.failure);
    this.worker.unref();
  }
}
