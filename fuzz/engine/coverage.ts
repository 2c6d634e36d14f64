/**
 * Coverage feedback from V8's precise block coverage, read through the inspector protocol in the
 * thread that runs the target (`Profiler.takePreciseCoverage` returns the counts since the last
 * call and resets them).
 *
 * V8 reports ranges compactly: a block that ran exactly as often as the range around it is merged
 * into that range and not listed, and one that never ran is listed with count 0. So one report
 * does not name every block that ran. This module remembers every range ever reported for a
 * function (its "known blocks") and gives each the count of the innermost range reported around
 * it, which is the block's true count. A block is covered once that count is above zero.
 *
 * Features are (block, hit-count bucket) pairs, as AFL buckets its edge counts (1, 2, 3, 4-7,
 * 8-15, 16-31, 32-127, 128+): an input is interesting when it has a feature no earlier input had,
 * so a loop that runs more often than before (one more header extension, one more snapshot) counts.
 */
import { Session } from 'node:inspector';

interface Range { startOffset: number; endOffset: number; count: number }
interface FunctionCoverage { ranges: Range[] }
interface ScriptCoverage { url: string; functions: FunctionCoverage[] }

interface Block { start: number; end: number; id: number }
/** A function's known blocks in pre-order, and their packed ranges for lookup. */
interface KnownBlocks { blocks: Block[]; keys: Set<number> }

const BUCKETS = 8;
/** Offsets in one script stay below 2^24, so (start, end) packs exactly into one number. */
const OFFSET_SPAN = 2 ** 24;

/** The block a feature is about. */
export function blockOf(feature: number): number {
  return Math.floor(feature / BUCKETS);
}

function bucket(count: number): number {
  if (count <= 3) return count - 1;
  if (count < 8) return 3;
  if (count < 16) return 4;
  if (count < 32) return 5;
  return count < 128 ? 6 : 7;
}

/** Pre-order of nested ranges: by start, the enclosing (longer) range first. */
function preorder(a: { start: number; end: number }, b: { start: number; end: number }): number {
  return a.start - b.start || b.end - a.end;
}

/** A growable set of small non-negative integers (one byte each: fast to test). */
export class IdSet {
  private bits = new Uint8Array(1024);
  size = 0;

  has(id: number): boolean {
    return id < this.bits.length && this.bits[id] === 1;
  }

  /** Adds `id`; true if it was new. */
  add(id: number): boolean {
    if (id >= this.bits.length) {
      const grown = new Uint8Array(Math.max(this.bits.length * 2, id + 1));
      grown.set(this.bits);
      this.bits = grown;
    }
    if (this.bits[id] === 1) return false;
    this.bits[id] = 1;
    this.size++;
    return true;
  }
}

export class CoverageMap {
  private readonly session = new Session();
  /** Per script URL, per function (its packed range), the function's known blocks. */
  private readonly functions = new Map<string, Map<number, KnownBlocks>>();
  private blocks = 0;
  private readonly covered = new IdSet();
  private readonly features = new IdSet();

  /** `scriptFilter`: only scripts whose URL contains it are measured (the code under test). */
  constructor(private readonly scriptFilter: string) {
    this.session.connect();
    this.post('Profiler.enable');
    this.post('Profiler.startPreciseCoverage', { callCount: true, detailed: true });
    this.take();
  }

  /** Blocks seen to run so far. */
  get coveredBlocks(): number {
    return this.covered.size;
  }

  /** Distinct blocks V8 has reported so far (run or not). */
  get knownBlocks(): number {
    return this.blocks;
  }

  get featureCount(): number {
    return this.features.size;
  }

  /** The features of everything that ran since the previous call. */
  take(): number[] {
    const { result } = this.post('Profiler.takePreciseCoverage') as { result: ScriptCoverage[] };
    const out: number[] = [];
    for (const script of result) {
      if (!script.url.includes(this.scriptFilter)) continue;
      let fns = this.functions.get(script.url);
      if (!fns) this.functions.set(script.url, (fns = new Map()));
      for (const fn of script.functions) {
        const outer = fn.ranges[0];
        if (!outer || outer.count === 0) continue; // not called: none of its blocks ran
        const key = outer.startOffset * OFFSET_SPAN + outer.endOffset;
        let known = fns.get(key);
        if (!known) fns.set(key, (known = { blocks: [], keys: new Set() }));
        this.learn(known, fn.ranges);
        this.countBlocks(known.blocks, fn.ranges, out);
      }
    }
    return out;
  }

  /** True if any of `features` was never seen. */
  isNew(features: readonly number[]): boolean {
    for (const f of features) if (!this.features.has(f)) return true;
    return false;
  }

  /** Records `features` as seen; returns how many were new. */
  add(features: readonly number[]): number {
    let fresh = 0;
    for (const f of features) {
      if (this.features.add(f)) fresh++;
      this.covered.add(blockOf(f));
    }
    return fresh;
  }

  private learn(known: KnownBlocks, ranges: readonly Range[]): void {
    let added = false;
    for (const r of ranges) {
      const key = r.startOffset * OFFSET_SPAN + r.endOffset;
      if (known.keys.has(key)) continue;
      known.keys.add(key);
      known.blocks.push({ start: r.startOffset, end: r.endOffset, id: this.blocks++ });
      added = true;
    }
    if (added) known.blocks.sort(preorder);
  }

  /**
   * Walks the known blocks and the reported ranges together in pre-order, keeping the chain of
   * reported ranges that enclose the current block: its innermost member holds the block's count.
   */
  private countBlocks(known: readonly Block[], ranges: readonly Range[], out: number[]): void {
    const chain: Range[] = [];
    let j = 0;
    const encloses = (r: Range, start: number, end: number) => r.startOffset <= start && end <= r.endOffset;
    for (const b of known) {
      while (j < ranges.length && (ranges[j]!.startOffset < b.start || (ranges[j]!.startOffset === b.start && ranges[j]!.endOffset >= b.end))) {
        const r = ranges[j++]!;
        while (chain.length > 0 && !encloses(chain[chain.length - 1]!, r.startOffset, r.endOffset)) chain.pop();
        chain.push(r);
      }
      while (chain.length > 0 && !encloses(chain[chain.length - 1]!, b.start, b.end)) chain.pop();
      const count = chain.length > 0 ? chain[chain.length - 1]!.count : 0;
      if (count > 0) out.push(b.id * BUCKETS + bucket(count));
    }
  }

  /** Inspector calls from the same thread complete synchronously. */
  private post(method: string, params: object = {}): unknown {
    return postSync(this.session, method, params);
  }
}

/** Inspector calls from the thread being inspected complete synchronously: returns the result. */
export function postSync(session: Session, method: string, params: object = {}): unknown {
  const reply: { done: boolean; error: Error | null; value: unknown } = { done: false, error: null, value: undefined };
  session.post(method, params, (error, value) => {
    reply.done = true;
    reply.error = error;
    reply.value = value;
  });
  if (!reply.done) throw new Error(`inspector call ${method} did not complete synchronously`);
  if (reply.error) throw reply.error;
  return reply.value;
}
