/**
 * How the supervisor (main thread) and the fuzzing worker talk. Messages carry results; a
 * SharedArrayBuffer carries what must survive the worker getting stuck or dying: whether it is
 * inside an execution, an execution counter, and the input being executed, so that the
 * supervisor's watchdog can name the input of a hang or a crash.
 */
import type { Budget } from './execute.js';
import { encodedLength, encodeInto, MAX_DATA } from './sample.js';
import type { Sample } from './sample.js';
import type { Problem } from './target.js';

export interface WorkerInit {
  target: string;
  seed: number;
  /** Inputs executed between two coverage reads (1: read after every input). */
  batch: number;
  budget: Budget;
  /** Stop after this many executions (null: until told to stop). */
  maxRuns: number | null;
  /** Start from the target's seeds (until a worker got through them; later ones get them in `corpus`). */
  withSeeds: boolean;
  /** Encoded inputs that made an earlier worker hang or die: not executed again. */
  exclude: Uint8Array[];
  /** Encoded inputs to start from (corpus files; after a restart, the corpus so far). */
  corpus: Uint8Array[];
  /** How many of `corpus`, from the front, are starting inputs (corpus files) rather than found ones. */
  startingCount: number;
  control: SharedArrayBuffer;
  statsEveryMs: number;
}

export interface Stats {
  execs: number;
  /** Batches run, and those whose inputs were examined one by one (they showed something new). */
  batches: number;
  novelBatches: number;
  /** The current batch size (see worker.ts). */
  batchSize: number;
  corpus: number;
  coveredBlocks: number;
  knownBlocks: number;
  features: number;
  /** Worker heap and external (Buffer) memory, bytes. */
  heapUsed: number;
  external: number;
}

export type WorkerMessage =
  /** Seeds and starting corpus executed: coverage at the start. */
  | { type: 'ready'; stats: Stats }
  /** An input that reached new coverage joined the corpus (not announced for inputs from `WorkerInit.corpus`). */
  | { type: 'input'; sample: Uint8Array }
  | { type: 'finding'; problem: Problem; sample: Uint8Array }
  | { type: 'stats'; stats: Stats }
  /**
   * Stopped. `startBlocks`: the blocks the starting inputs (seeds and corpus files) cover, counted
   * again at the end: blocks V8 reported only later (see coverage.ts) are credited to them too.
   */
  | { type: 'done'; stats: Stats; startBlocks: number };

const STOP = 0;
const RUNNING = 1;
const SERIAL = 2;
const LENGTH = 3;
const HEADER = 16;

/** The shared state; both sides wrap the same SharedArrayBuffer. */
export class Control {
  private readonly flags: Int32Array;
  private readonly input: Buffer;

  constructor(readonly buffer = new SharedArrayBuffer(HEADER + MAX_DATA + 4096)) {
    this.flags = new Int32Array(buffer, 0, 4);
    this.input = Buffer.from(buffer, HEADER);
  }

  stop(): void {
    Atomics.store(this.flags, STOP, 1);
  }

  get stopped(): boolean {
    return Atomics.load(this.flags, STOP) === 1;
  }

  /** The worker is about to execute `sample` (every sample fits: MAX_DATA bounds them). */
  begin(sample: Sample): void {
    if (encodedLength(sample) > this.input.length) throw new Error('input too large for the control buffer');
    Atomics.store(this.flags, LENGTH, encodeInto(sample, this.input));
    Atomics.store(this.flags, RUNNING, 1);
  }

  end(): void {
    Atomics.store(this.flags, RUNNING, 0);
    Atomics.add(this.flags, SERIAL, 1);
  }

  /** What the worker is doing now: `running` an execution numbered `serial`. */
  state(): { running: boolean; serial: number } {
    return { running: Atomics.load(this.flags, RUNNING) === 1, serial: Atomics.load(this.flags, SERIAL) };
  }

  /** A copy of the input of the execution in progress (or the last one). */
  currentInput(): Buffer {
    return Buffer.from(this.input.subarray(0, Atomics.load(this.flags, LENGTH)));
  }

  /** Clears the execution state for a new worker (the stop flag stays). */
  resetExecution(): void {
    Atomics.store(this.flags, RUNNING, 0);
    Atomics.store(this.flags, LENGTH, 0);
  }
}
