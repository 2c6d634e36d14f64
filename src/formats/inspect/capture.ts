/**
 * Streaming driver: runs every inspector over bytes pushed in order, capturing only the regions
 * they ask for (see task.ts for the rules). Memory is bounded: a pending read holds at most
 * MAX_READ bytes, scans hold at most one partial record, and a TAIL_WINDOW-byte ring keeps the
 * end of the stream for footers. Nothing else of the stream is retained.
 *
 * Chunk boundaries do not matter: a chunk is cut at every point where some request completes,
 * and the thread is resumed right there, so a follow-up request may start in the same chunk.
 * A thread's position is therefore always the stream cursor when it runs, exactly as the
 * random-access driver computes it.
 */
import { asRefusal, checkOp, Refusal, TAIL_WINDOW } from './task.js';
import type { InspectContext, Inspector, Op, Task, ThreadPosition } from './task.js';
import { settleInspector } from './verdict.js';
import type { InspectorState } from './verdict.js';

type Resume = { value: unknown } | { error: unknown };
type RegionOp = Extract<Op, { op: 'read' | 'scan' }>;

interface Join {
  readonly threads: Thread[];
  readonly done: boolean[];
  readonly values: unknown[];
  readonly errors: (Refusal | undefined)[];
  resolved: boolean;
}

class Thread implements ThreadPosition {
  ended = false;
  finished = false;
  op: Op | null = null;
  buf: Buffer | null = null;
  filled = 0;
  carry: Buffer | null = null;
  carryLen = 0;
  records = 0;
  failure: unknown = undefined;
  join: Join | null = null;
  constructor(
    readonly gen: Task<unknown>,
    readonly state: InspectorState,
    readonly parent: Thread | null,
    readonly index: number,
    public pos: number,
  ) {}
}

export class StreamCapture {
  readonly states: InspectorState[];
  private cursor = 0;
  private eof = false;
  private readonly tailBuf = Buffer.alloc(TAIL_WINDOW);
  private tailLen = 0;
  /** Threads waiting for a region of the stream (read or scan). */
  private readonly waiting = new Set<Thread>();
  /** Threads waiting for the size or the tail. */
  private atEnd: Thread[] = [];

  constructor(inspectors: readonly Inspector[], ctx: InspectContext) {
    this.states = inspectors.map((inspector) => ({ inspector, match: null, settled: false, outcome: null }));
    for (const state of this.states) this.step(new Thread(state.inspector.run(ctx), state, null, 0, 0), { value: undefined });
  }

  get position(): number {
    return this.cursor;
  }

  push(chunk: Buffer): void {
    if (this.eof) throw new Error('push() after finish()');
    this.keepTail(chunk);
    let at = 0;
    while (at < chunk.length) {
      let next = this.cursor + (chunk.length - at);
      for (const t of this.waiting) {
        const op = t.op as RegionOp;
        next = Math.min(next, op.offset + op.length);
      }
      const segment = chunk.subarray(at, at + (next - this.cursor));
      for (const t of this.waiting) if (t.failure === undefined) this.deliver(t, segment, this.cursor);
      this.cursor = next;
      at += segment.length;
      for (const t of [...this.waiting]) {
        if (t.finished || t.op === null) continue; // cancelled by a sibling's completion just now
        const op = t.op as RegionOp;
        if (t.failure !== undefined) {
          const error = t.failure;
          this.clear(t);
          this.step(t, { error });
        } else if (op.offset + op.length === this.cursor) {
          this.completeRegion(t);
        }
      }
    }
  }

  /** The stream ended: answer every pending request with what arrived. */
  finish(): void {
    if (this.eof) return;
    this.eof = true;
    while (this.waiting.size > 0 || this.atEnd.length > 0) {
      const pending = [...this.waiting, ...this.atEnd];
      this.atEnd = [];
      for (const t of pending) {
        if (t.finished || t.op === null) continue;
        if (t.op.op === 'read' || t.op.op === 'scan') this.completeRegion(t);
        else {
          const op = t.op;
          t.op = null;
          this.step(t, { value: this.endValue(op) });
        }
      }
    }
  }

  private step(t: Thread, input: Resume): void {
    for (;;) {
      let r: IteratorResult<Op, unknown>;
      try {
        r = 'error' in input ? t.gen.throw(input.error) : t.gen.next(input.value);
      } catch (err) {
        this.complete(t, { error: asRefusal(err) });
        return;
      }
      if (r.done) {
        this.complete(t, { value: r.value });
        return;
      }
      const op = r.value;
      let bad: Refusal | null;
      try {
        bad = checkOp(op, t);
      } catch (err) {
        input = { error: err };
        continue;
      }
      if (bad) {
        input = { error: bad };
        continue;
      }
      switch (op.op) {
        case 'match':
          t.state.match = { format: op.format, role: op.role };
          input = { value: undefined };
          continue;
        case 'read':
        case 'scan':
          if (op.length === 0 || this.eof) {
            // After the end only regions beyond EOF can be asked for (task.ts): they are empty.
            if (op.length > 0 && op.offset < this.cursor) {
              input = { error: new Error('inspector bug: region requested behind a finished stream') };
              continue;
            }
            t.pos = op.offset + op.length;
            input = { value: op.op === 'read' ? Buffer.alloc(0) : 0 };
            continue;
          }
          t.op = op;
          t.filled = 0;
          t.records = 0;
          t.carryLen = 0;
          this.waiting.add(t);
          return;
        case 'size':
        case 'tail':
          t.ended = true;
          if (this.eof) {
            input = { value: this.endValue(op) };
            continue;
          }
          t.op = op;
          this.atEnd.push(t);
          return;
        case 'all': {
          const n = op.tasks.length;
          if (n === 0) {
            input = { value: [] };
            continue;
          }
          const join: Join = { threads: [], done: new Array<boolean>(n).fill(false), values: new Array<unknown>(n), errors: new Array<Refusal | undefined>(n), resolved: false };
          t.join = join;
          op.tasks.forEach((task, i) => join.threads.push(new Thread(task, t.state, t, i, t.pos)));
          for (const child of join.threads) {
            if (join.resolved) break;
            this.step(child, { value: undefined });
          }
          return;
        }
      }
    }
  }

  private deliver(t: Thread, segment: Buffer, segmentStart: number): void {
    const op = t.op as RegionOp;
    const from = Math.max(op.offset, segmentStart);
    const to = Math.min(op.offset + op.length, segmentStart + segment.length);
    if (from >= to) return;
    const data = segment.subarray(from - segmentStart, to - segmentStart);
    if (op.op === 'read') {
      t.buf ??= Buffer.allocUnsafe(op.length);
      data.copy(t.buf, from - op.offset);
      t.filled = to - op.offset;
      return;
    }
    try {
      this.feed(t, op, data);
    } catch (err) {
      t.failure = err;
    }
  }

  /** Hands whole records to a scan's sink, keeping at most one partial record. */
  private feed(t: Thread, op: Extract<Op, { op: 'scan' }>, data: Buffer): void {
    const r = op.record;
    let i = 0;
    if (t.carryLen > 0) {
      const n = Math.min(r - t.carryLen, data.length);
      data.copy(t.carry!, t.carryLen, 0, n);
      t.carryLen += n;
      i = n;
      if (t.carryLen < r) return;
      op.sink(t.carry!, t.records++);
      t.carryLen = 0;
    }
    const whole = Math.floor((data.length - i) / r) * r;
    if (whole > 0) {
      op.sink(data.subarray(i, i + whole), t.records);
      t.records += whole / r;
      i += whole;
    }
    if (i < data.length) {
      t.carry ??= Buffer.alloc(r);
      data.copy(t.carry, 0, i);
      t.carryLen = data.length - i;
    }
  }

  private completeRegion(t: Thread): void {
    const op = t.op as RegionOp;
    const value = op.op === 'read' ? (t.buf ?? Buffer.alloc(0)).subarray(0, t.filled) : t.records;
    this.clear(t);
    t.pos = op.offset + op.length;
    this.step(t, { value });
  }

  private clear(t: Thread): void {
    t.op = null;
    t.buf = null;
    t.carry = null;
    t.failure = undefined;
    this.waiting.delete(t);
  }

  private complete(t: Thread, result: { value: unknown } | { error: Refusal }): void {
    t.finished = true;
    this.clear(t);
    const parent = t.parent;
    if (!parent) {
      settleInspector(t.state, result);
      return;
    }
    const join = parent.join;
    if (!join || join.resolved) return;
    join.done[t.index] = true;
    if ('error' in result) join.errors[t.index] = result.error;
    else join.values[t.index] = result.value;
    // The outcome is known once every task before the first failure has finished.
    for (let i = 0; i < join.done.length; i++) {
      if (!join.done[i]) return;
      const error = join.errors[i];
      if (error) return this.resolve(parent, join, { error });
    }
    this.resolve(parent, join, { value: join.values });
  }

  private resolve(parent: Thread, join: Join, input: Resume): void {
    join.resolved = true;
    parent.join = null;
    join.threads.forEach((c, i) => {
      if (join.done[i]) {
        parent.pos = Math.max(parent.pos, c.pos);
        parent.ended ||= c.ended;
      } else {
        this.cancel(c);
      }
    });
    this.step(parent, input);
  }

  private cancel(t: Thread): void {
    if (t.finished) return;
    t.finished = true;
    this.clear(t);
    if (t.join) {
      t.join.resolved = true;
      for (const c of t.join.threads) this.cancel(c);
      t.join = null;
    }
    try {
      t.gen.return(undefined);
    } catch {
      // A task's cleanup failing does not change the verdict.
    }
  }

  private endValue(op: Op): unknown {
    if (op.op === 'size') return this.cursor;
    if (op.op !== 'tail') throw new Error(`inspector bug: ${op.op} is not an end-of-stream request`);
    const n = Math.min(op.length, this.tailLen);
    return Buffer.from(this.tailBuf.subarray(this.tailLen - n, this.tailLen));
  }

  private keepTail(chunk: Buffer): void {
    if (chunk.length >= TAIL_WINDOW) {
      chunk.copy(this.tailBuf, 0, chunk.length - TAIL_WINDOW);
      this.tailLen = TAIL_WINDOW;
      return;
    }
    const keep = Math.min(this.tailLen, TAIL_WINDOW - chunk.length);
    this.tailBuf.copy(this.tailBuf, 0, this.tailLen - keep, this.tailLen);
    chunk.copy(this.tailBuf, keep);
    this.tailLen = keep + chunk.length;
  }
}
