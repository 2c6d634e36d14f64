/**
 * A raw file read front to back and checked for zeros on a worker thread, its data handed to
 * the event loop in pool slabs (shared memory, so nothing is copied).
 *
 * Why a thread: converting a raw disk, the event loop issues every write, synchronously, and
 * with the reads on libuv's pool it could queue the next ones only between batches of writes;
 * through a run of zeros it then sat waiting for them. The thread reads whenever it holds a slab,
 * checks for zeros itself and reads on through a zero run into the same slab, so reading and
 * checking overlap the writes and the event loop only writes. raw→qcow2 of the bench's 2 GiB
 * disk, half zeros: median 0.44 → 0.40 s in six alternating rounds; of a 4 GiB one, 0.80-2.15
 * → 0.68-0.81 s (docs/benchmarks.md, "Reading raw on a thread").
 *
 * The thread reads with the source's own descriptor (the file that was opened and inspected,
 * whatever happens to its path) and never closes it. After its last report (the end of the file,
 * or a failed read) it reads no more and ends by itself; before that, it is terminated before
 * the source is closed. Waiting for its exit at the end cost 3.5-7 ms after the last data.
 * Memory stays bounded: the thread holds at most SLABS_AHEAD slabs, and the event loop hands it
 * another only once it has passed one on to the consumer, taking it from the pool (which reuses
 * those the consumer reported written): SLABS_AHEAD slabs plus what the consumer holds.
 */
import { on } from 'node:events';
import { Worker } from 'node:worker_threads';
import { SLAB_SIZE, type BufferPool } from './buffer-pool.js';
import type { Extent } from './disk.js';
// raw.reader.ts imports only a type from here, so there is no cycle at run time.
import { rawTruncated, readExtents } from './raw.reader.js';

/**
 * Slabs the thread may fill ahead of the consumer. The further ahead it is when a run of data
 * ends, the sooner it is through the zeros after it: raw→qcow2 of the bench's disk took
 * 0.38-0.43 s with 8 (32 MiB), 0.40-0.45 with 4, 0.45-0.51 with 2; 16 was no faster.
 */
const SLABS_AHEAD = 8;

/**
 * From the thread: that it has started; or the run of zeros from zeroFrom (-1: none) to offset,
 * then the data read into slab `id` at offset, or the end of the file at `end` (before `size`:
 * the file was cut short); or the error a read failed with.
 */
type Report =
  | { ready: true }
  | { zeroFrom: number; offset: number; id: number; length: number }
  | { zeroFrom: number; offset: number; end: number }
  | { failed: { message: string; code?: string; errno?: number; syscall?: string } };

/**
 * The thread's body: self-contained CommonJS evaluated from a string, so it runs the same under
 * tsx (tests) and from dist/. It says when it is ready, is told where to start, then reads into
 * each slab it is given. A read that is all zeros extends the current zero run and its slab is
 * read into again; any other read goes back to the event loop with the run before it.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { readSync } = require('node:fs');
const { fd, size, chunk } = workerData;
const HEAD = 256;
const ZEROS = Buffer.alloc(HEAD);
// As zero.ts: the head against zeros, then the rest against itself HEAD bytes on.
const isAllZero = (b) =>
  b[0] === 0 && b[b.length - 1] === 0 && b.compare(ZEROS, 0, Math.min(HEAD, b.length), 0, Math.min(HEAD, b.length)) === 0 &&
  (b.length <= HEAD || b.compare(b, HEAD, b.length, 0, b.length - HEAD) === 0);
const slabs = [];
let offset = 0;
let zeroFrom = -1;
let ended = false;

function readFull(view, at) {
  let done = 0;
  while (done < view.length) {
    const n = readSync(fd, view, done, view.length - done, at + done);
    if (n === 0) break;
    done += n;
  }
  return done;
}

function work() {
  while (slabs.length > 0 && offset < size) {
    const { id, memory } = slabs[slabs.length - 1];
    const length = Math.min(chunk, size - offset);
    const view = Buffer.from(memory, 0, length);
    const got = readFull(view, offset);
    // The file is shorter than when it was opened: report where it ends.
    if (got < length) return finish(offset + got);
    if (isAllZero(view)) {
      if (zeroFrom < 0) zeroFrom = offset;
    } else {
      slabs.pop();
      parentPort.postMessage({ zeroFrom, id, offset, length });
      zeroFrom = -1;
    }
    offset += length;
  }
  if (offset >= size) finish(offset);
}

function finish(end) {
  if (ended) return;
  ended = true;
  parentPort.postMessage({ zeroFrom, offset, end });
  parentPort.close();
}

parentPort.on('message', (message) => {
  if (ended) return;
  if (message.from === undefined) slabs.push(message);
  else offset = message.from;
  try {
    work();
  } catch (error) {
    ended = true;
    parentPort.postMessage({ failed: { message: error.message, code: error.code, errno: error.errno, syscall: error.syscall } });
    parentPort.close();
  }
});
parentPort.postMessage({ ready: true });
`;

/** A scan thread started for one file; see startScanThread. */
export interface ScanThread {
  /** The thread has started: taking over from it now costs no wait. */
  readonly ready: boolean;
  /**
   * The file from `from` (a multiple of SLAB_SIZE, or its size) to the end, as data and zero
   * extents in order. Call at most once.
   */
  extents(from: number): AsyncGenerator<Extent>;
  /**
   * Call it before closing the descriptor, whatever happened: once it resolves the thread reads
   * no more. A thread that has reported the end needs no wait; any other is terminated.
   */
  stop(): Promise<void>;
}

/**
 * Starts a thread to read the file open as `fd` (`size` bytes long when opened). It takes 30-45
 * ms to start here, so a caller may read the first part itself until `ready`. Data extents
 * are views of `pool` slabs, lent as readers lend them (buffer-pool.ts). A file found shorter
 * than `size` fails with format.raw.truncated, as the event-loop reader does.
 */
export function startScanThread(fd: number, size: number, pool: BufferPool): ScanThread {
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    // Self-contained CommonJS: the parent's flags (a TypeScript loader in tests) would only slow its start.
    execArgv: [],
    workerData: { fd, size, chunk: SLAB_SIZE },
  });
  let ready = false;
  let failure: Error | undefined;
  let exited = false;
  /** The thread has sent its last report: it reads no more, and ends by itself. */
  let finished = false;
  worker.once('message', () => (ready = true));
  // Kept even while nobody iterates, so a thread that fails early cannot crash the process.
  worker.on('error', (error) => (failure = error));
  worker.once('exit', () => (exited = true));
  const stopped = () => failure ?? new Error('the raw scan thread stopped before the end of the file');
  return {
    get ready() {
      return ready;
    },
    async *extents(from) {
      if (from >= size) return;
      if (exited) throw stopped();
      const reports = on(worker, 'message', { close: ['exit'] }) as AsyncIterable<[Report]>;
      const lent = new Map<number, Buffer>();
      let nextId = 0;
      const lend = () => {
        const slab = pool.take();
        const id = nextId++;
        lent.set(id, slab);
        worker.postMessage({ id, memory: slab.buffer });
      };
      worker.postMessage({ from });
      for (let i = 0; i < SLABS_AHEAD; i++) lend();
      for await (const [report] of reports) {
        if ('ready' in report) continue;
        if ('failed' in report || 'end' in report) finished = true;
        if ('failed' in report) throw Object.assign(new Error(report.failed.message), report.failed);
        if (report.zeroFrom >= 0) yield { offset: report.zeroFrom, length: report.offset - report.zeroFrom, kind: 'zero' };
        if ('end' in report) {
          if (report.end < size) throw rawTruncated(report.end, size);
          return;
        }
        const slab = lent.get(report.id)!;
        lent.delete(report.id);
        yield* readExtents(report.offset, slab.subarray(0, report.length), pool);
        lend();
      }
      throw stopped();
    },
    stop: async () => {
      if (!finished) await worker.terminate();
    },
  };
}
