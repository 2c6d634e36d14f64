/**
 * One hashing worker thread shared by several streams, and the main-thread handles that feed it.
 *
 * Each stream hashed by the worker owns a lane: a small ring of fixed slots in a
 * SharedArrayBuffer. The main thread copies each chunk into its lane once and publishes full
 * slots by bumping the lane's counter; the worker hashes published slots in place and bumps
 * its own counter. No message crosses the threads in steady state: posting every chunk to
 * the worker cost more than the hash itself. A lane is the only buffer of its stream, so
 * memory stays bounded whatever the image size, and a writer that finds its lane full waits
 * for a slot: that is the back-pressure, per stream, so one stalled upload holds up no other.
 *
 * One thread serves every lane, taking one slot from each lane with work in turn, so streams
 * that share it advance together. A worker thread is a V8 isolate of about 10 MB: one per
 * upload cost more memory than the data in flight, and more threads than spare cores add no
 * throughput (the pool caps them). Lanes are opened by a message the worker reads
 * synchronously (receiveMessageOnPort), since its loop never returns to the event loop; a
 * finished lane goes back to a short free list for the next stream, with no round-trip.
 *
 * Each slot carries its length and two flags: FIRST starts a new hash, LAST asks for the
 * digest. A hash abandoned half-way (the upload failed) is simply replaced by the next FIRST
 * in that lane, so a lane is reused without a reset round-trip.
 *
 * While a hash runs, a caught-up worker naps on a short timeout instead of being woken by the
 * main thread. Waking a thread from another CPU invites the scheduler to pull it onto the
 * waker's CPU (small VMs pack vCPUs this way), which serialised both hashes on one core and
 * halved throughput in measurements; a timer wake-up leaves the worker where it runs. After
 * NAPS idle naps (stalled clients) it sleeps until notified, so an idle worker costs nothing.
 */
import { MessageChannel, Worker } from 'node:worker_threads';
import { ServiceUnavailableError } from '../domain/errors.js';

const SLOTS = 8; // a power of two, so wrapping 32-bit counters still index slots correctly
const SLOT_BYTES = 128 * 1024;
const NAP_MS = 1;
const NAPS = 50;
/** Free lanes a worker keeps for the next streams; more are closed (1 MiB each). */
const FREE_LANES = 2;
/** A worker that consumes nothing for this long while we wait on it is stuck: fail, don't hang. */
const STALL_MS = 15_000;
const FIRST = 1 << 29;
const LAST = 1 << 30;
const LENGTH_MASK = FIRST - 1;
// Worker-wide words: bumped on every publish and every mail (what the worker waits on),
// "worker sleeps until notified", mails posted, slots consumed over all lanes.
const SIGNAL = 0;
const SLEEPING = 1;
const MAIL = 2;
const PROGRESS = 3;
// Per-lane words: published and consumed slot counters, "main waits for room", then one
// length-and-flags word per slot. The slots follow the header in the same buffer.
const HEAD = 0;
const TAIL = 1;
const WAITING = 2;
const LENGTHS = 3;
const HEADER_BYTES = 64;
const LAYOUT = { SLOTS, SLOT_BYTES, NAP_MS, NAPS, FIRST, LAST, LENGTH_MASK, SIGNAL, SLEEPING, MAIL, PROGRESS, HEAD, TAIL, WAITING, LENGTHS, HEADER_BYTES };

/**
 * The worker body: plain CommonJS evaluated from a string, so the same code runs under tsx
 * (tests) and from dist/ (production) with no loader or file lookup. It never returns to its
 * event loop; terminate() interrupts Atomics.wait.
 */
const WORKER_SOURCE = `
const { parentPort, receiveMessageOnPort, workerData } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const { algorithm, control, mailbox, layout } = workerData;
const { SLOTS, SLOT_BYTES, NAP_MS, NAPS, FIRST, LAST, LENGTH_MASK, SIGNAL, SLEEPING, MAIL, PROGRESS, HEAD, TAIL, WAITING, LENGTHS, HEADER_BYTES } = layout;
const shared = new Int32Array(control);
let lanes = [];
let received = 0;
let hashing = 0; // lanes with a hash between FIRST and LAST
let naps = 0;

function readMail() {
  while (received !== Atomics.load(shared, MAIL)) {
    const mail = receiveMessageOnPort(mailbox);
    if (mail === undefined) return false;
    received++;
    const { open, close } = mail.message;
    if (open !== undefined) {
      const bytes = new Uint8Array(open.buffer, HEADER_BYTES);
      const slots = [];
      for (let i = 0; i < SLOTS; i++) slots.push(bytes.subarray(i * SLOT_BYTES, (i + 1) * SLOT_BYTES));
      const words = new Int32Array(open.buffer, 0, LENGTHS + SLOTS);
      lanes.push({ id: open.id, words, slots, tail: Atomics.load(words, TAIL), hash: null });
    } else {
      for (const lane of lanes) if (lane.id === close && lane.hash !== null) hashing--;
      lanes = lanes.filter((lane) => lane.id !== close);
    }
  }
  return true;
}

function consume(lane) {
  const slot = lane.tail & (SLOTS - 1);
  const word = lane.words[LENGTHS + slot];
  if (word & FIRST) {
    if (lane.hash === null) hashing++;
    lane.hash = createHash(algorithm);
  }
  const length = word & LENGTH_MASK;
  lane.hash.update(length === SLOT_BYTES ? lane.slots[slot] : lane.slots[slot].subarray(0, length));
  if (word & LAST) {
    parentPort.postMessage({ lane: lane.id, digest: lane.hash.digest('hex') });
    lane.hash = null;
    hashing--;
  }
  lane.tail = (lane.tail + 1) | 0;
  Atomics.store(lane.words, TAIL, lane.tail);
  Atomics.add(shared, PROGRESS, 1);
  if (Atomics.exchange(lane.words, WAITING, 0) === 1) parentPort.postMessage({ lane: lane.id, room: true });
}

for (;;) {
  // Read before looking for work: anything published after this changes it, so the wait
  // below returns at once instead of missing it.
  const signal = Atomics.load(shared, SIGNAL);
  const mailed = readMail();
  let busy = false;
  for (const lane of lanes) {
    if (Atomics.load(lane.words, HEAD) === lane.tail) continue;
    consume(lane);
    busy = true;
  }
  if (busy) {
    naps = 0;
  } else if ((hashing > 0 || !mailed) && naps < NAPS) {
    naps++;
    Atomics.wait(shared, SIGNAL, signal, NAP_MS);
  } else {
    // Raise the flag, then wait only if nothing changed: the main thread either published
    // before the wait (it returns at once) or sees the flag and notifies.
    Atomics.store(shared, SLEEPING, 1);
    Atomics.wait(shared, SIGNAL, signal, mailed ? undefined : NAP_MS);
    Atomics.store(shared, SLEEPING, 0);
  }
}
`;

type Callback = (err?: Error) => void;
type DigestWaiter = { resolve(hex: string): void; reject(err: Error): void };
const DROPPED: DigestWaiter = { resolve: () => undefined, reject: () => undefined };

/** The main-thread side of one lane: its ring and what waits on it. */
class Lane {
  readonly words: Int32Array;
  readonly bytes: Uint8Array;
  head = 0;
  /** Bytes copied into the slot at `head`, which is ours until published. */
  fill = 0;
  first = true;
  /** Set while a write waits for the worker to free a slot. */
  onRoom: Callback | null = null;
  /** Digests come back in the order LAST slots were published; abandoned ones are dropped. */
  readonly digestQueue: DigestWaiter[] = [];

  constructor(readonly id: number, readonly buffer: SharedArrayBuffer) {
    this.words = new Int32Array(buffer, 0, LENGTHS + SLOTS);
    this.bytes = new Uint8Array(buffer, HEADER_BYTES);
  }

  hasRoom(): boolean {
    return ((this.head - Atomics.load(this.words, TAIL)) | 0) < SLOTS;
  }

  /** Published slots the worker has not hashed yet. */
  get pending(): boolean {
    return this.head !== Atomics.load(this.words, TAIL);
  }
}

/** One hashing thread; serves any number of streams at once, each on its own lane. */
export class HashWorker {
  private readonly worker: Worker;
  private readonly shared = new Int32Array(new SharedArrayBuffer(4 * 4));
  private readonly mailbox = new MessageChannel();
  private readonly lanes = new Map<number, Lane>();
  private readonly free: Lane[] = [];
  private nextLane = 0;
  private open = 0;
  private failure: Error | null = null;
  private watchdog: NodeJS.Timeout | null = null;

  /** `onIdle` runs whenever the worker's last open stream is released. */
  constructor(readonly algorithm: string, private readonly onIdle: (worker: HashWorker) => void = () => undefined) {
    this.worker = new Worker(WORKER_SOURCE, {
      eval: true,
      // The body is self-contained CommonJS: the parent's flags (a TypeScript loader in tests,
      // --input-type=module) would only slow its start or change how it is parsed.
      execArgv: [],
      workerData: { algorithm, control: this.shared.buffer, mailbox: this.mailbox.port2, layout: LAYOUT },
      transferList: [this.mailbox.port2],
    });
    this.worker.on('message', (msg: { lane: number; digest?: string; room?: true }) => {
      const lane = this.lanes.get(msg.lane);
      if (!lane) return;
      if (msg.digest === undefined) this.wakeWriter(lane);
      else lane.digestQueue.shift()?.resolve(msg.digest);
    });
    this.worker.on('error', (err) => this.fail(err));
    this.worker.on('exit', (code) => this.fail(new Error(`the thread exited with code ${code}`)));
    // An idle worker must not keep the process alive, but one with a hash running must, or a
    // script awaiting the digest would exit early: opening a stream refs it, the last release unrefs it.
    this.worker.unref();
  }

  get healthy(): boolean {
    return this.failure === null;
  }

  /** Streams open on this worker. */
  get streams(): number {
    return this.open;
  }

  /** Starts a new hash on a lane of its own. */
  openStream(): HashStream {
    if (this.failure) throw this.failure;
    let lane = this.free.pop();
    if (!lane) {
      lane = new Lane(this.nextLane++, new SharedArrayBuffer(HEADER_BYTES + SLOTS * SLOT_BYTES));
      this.lanes.set(lane.id, lane);
      this.mail({ open: { id: lane.id, buffer: lane.buffer } });
    }
    lane.fill = 0;
    lane.first = true;
    if (this.open++ === 0) this.worker.ref();
    return new HashStream(this, lane);
  }

  async terminate(): Promise<void> {
    this.fail(new Error('it was terminated'));
    await this.worker.terminate();
  }

  /** The failure every stream of this worker shares, once it has one. */
  get error(): Error | null {
    return this.failure;
  }

  /** Copies `chunk` from `offset` into the lane as far as it fits; returns the new offset. */
  copy(lane: Lane, chunk: Uint8Array, offset: number): number {
    while (offset < chunk.length) {
      if (lane.fill === 0 && !lane.hasRoom()) break;
      const n = Math.min(SLOT_BYTES - lane.fill, chunk.length - offset);
      lane.bytes.set(offset === 0 && n === chunk.length ? chunk : chunk.subarray(offset, offset + n), (lane.head & (SLOTS - 1)) * SLOT_BYTES + lane.fill);
      lane.fill += n;
      offset += n;
      if (lane.fill === SLOT_BYTES) this.publish(lane, 0);
    }
    return offset;
  }

  /** Publishes the lane's last slot (empty if nothing is pending) once there is room for it. */
  finish(lane: Lane, waiter: DigestWaiter): void {
    const publishLast = (err?: Error): void => {
      if (err) return waiter.reject(err);
      lane.digestQueue.push(waiter);
      this.publish(lane, LAST);
      this.watch();
    };
    if (lane.fill > 0) publishLast();
    else this.whenRoom(lane, publishLast);
  }

  /** Runs `ready` once the lane has a free slot (at once if it has), or with the worker's failure. */
  whenRoom(lane: Lane, ready: Callback): void {
    if (this.failure) return ready(this.failure);
    lane.onRoom = ready;
    // Raise the flag, then look again: either we see the freed slot or the worker sees the flag.
    Atomics.store(lane.words, WAITING, 1);
    if (!this.wakeWriter(lane)) this.watch();
  }

  /** Takes the lane back from its stream; digests it already asked for are dropped. */
  release(lane: Lane): void {
    lane.onRoom = null;
    // The worker still answers for those LAST slots, in order: keep their places in the queue.
    lane.digestQueue.forEach((waiter, i) => {
      lane.digestQueue[i] = DROPPED;
      waiter.reject(new Error('the hash was abandoned'));
    });
    if (this.free.length < FREE_LANES) this.free.push(lane);
    else {
      this.lanes.delete(lane.id);
      this.mail({ close: lane.id });
    }
    if (--this.open === 0) {
      this.worker.unref();
      this.onIdle(this);
    }
  }

  private mail(message: { open: { id: number; buffer: SharedArrayBuffer } } | { close: number }): void {
    if (this.failure) return;
    // postMessage queues it on the worker's port before returning, so the worker finds it
    // with receiveMessageOnPort once it sees the count.
    this.mailbox.port1.postMessage(message);
    Atomics.add(this.shared, MAIL, 1);
    this.signal();
  }

  private publish(lane: Lane, flags: number): void {
    lane.words[LENGTHS + (lane.head & (SLOTS - 1))] = lane.fill | flags | (lane.first ? FIRST : 0);
    lane.head = (lane.head + 1) | 0;
    lane.fill = 0;
    lane.first = false;
    Atomics.store(lane.words, HEAD, lane.head);
    this.signal();
  }

  private signal(): void {
    Atomics.add(this.shared, SIGNAL, 1);
    if (Atomics.load(this.shared, SLEEPING) === 1) Atomics.notify(this.shared, SIGNAL);
  }

  /** While something waits on the worker, checks that it keeps consuming slots. */
  private watch(): void {
    if (this.watchdog) return;
    let consumed = Atomics.load(this.shared, PROGRESS);
    this.watchdog = setInterval(() => {
      const now = Atomics.load(this.shared, PROGRESS);
      const lanes = [...this.lanes.values()];
      if (lanes.every((lane) => lane.onRoom === null && lane.digestQueue.length === 0)) this.unwatch();
      // Stuck means slots wait and none went; with all consumed, a digest is only in the post.
      else if (now === consumed && lanes.some((lane) => lane.pending)) {
        const state = ['SIGNAL', 'SLEEPING', 'MAIL', 'PROGRESS'].map((name, i) => `${name}=${Atomics.load(this.shared, i)}`).join(' ');
        this.fail(new Error(`it made no progress for ${STALL_MS} ms (${state})`));
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

  /** Resumes the lane's waiting writer if there is room now; says whether it did. */
  private wakeWriter(lane: Lane): boolean {
    const wake = lane.onRoom;
    if (!wake || !lane.hasRoom()) return false;
    lane.onRoom = null;
    Atomics.store(lane.words, WAITING, 0);
    wake();
    return true;
  }

  private fail(err: Error): void {
    if (!this.failure) {
      this.failure = new ServiceUnavailableError(`The ${this.algorithm} hash worker failed: ${err.message}`, { cause: err, reason: 'upload.hasher_failed' });
    }
    this.unwatch();
    for (const lane of this.lanes.values()) {
      const wake = lane.onRoom;
      lane.onRoom = null;
      for (const waiter of lane.digestQueue.splice(0)) waiter.reject(this.failure);
      wake?.(this.failure);
    }
    this.worker.unref();
  }
}

/** One stream's hash on a worker: write… then end, or abandon. Single-use. */
export class HashStream {
  /** The lane until it goes back to the worker (digest received, or abandoned). */
  private lane: Lane | null;

  constructor(private readonly worker: HashWorker, lane: Lane) {
    this.lane = lane;
  }

  /**
   * Copies `chunk` into the lane. Returns null when it all fitted; otherwise what did not fit,
   * to write again once whenRoom calls back. Throws once the worker has failed.
   */
  write(chunk: Uint8Array): Uint8Array | null {
    const lane = this.owned();
    const offset = this.worker.copy(lane, chunk, 0);
    return offset === chunk.length ? null : chunk.subarray(offset);
  }

  /** Runs `ready` once a slot is free again (or with the error that ended the stream). */
  whenRoom(ready: Callback): void {
    if (!this.lane) return ready(new Error('the hash stream is closed'));
    this.worker.whenRoom(this.lane, ready);
  }

  /** Finishes the hash and resolves with its hex digest; the stream is then closed. */
  end(): Promise<string> {
    return new Promise((resolve, reject) => {
      const lane = this.owned();
      this.worker.finish(lane, {
        resolve: (hex) => {
          this.close();
          resolve(hex);
        },
        reject,
      });
    });
  }

  /** Gives up on the hash (a digest already asked for rejects); does nothing once closed. */
  abandon(): void {
    this.close();
  }

  private owned(): Lane {
    if (this.worker.error) throw this.worker.error;
    if (!this.lane) throw new Error('the hash stream is closed');
    return this.lane;
  }

  private close(): void {
    const lane = this.lane;
    if (!lane) return;
    this.lane = null;
    this.worker.release(lane);
  }
}
