/**
 * One guarded execution of a target: whatever the code under test does, the outcome is a list of
 * problems. Besides the target's own checks, it measures what every target must respect: time,
 * memory, and not writing into its input.
 *
 * Memory is measured three ways, as none sees everything:
 * - Buffer.alloc/allocUnsafe/allocUnsafeSlow are wrapped to see each request, even one that fails
 *   or is freed before the execution ends (Buffer.concat goes through allocUnsafe);
 * - V8's heap plus external (ArrayBuffer) memory is compared before and after;
 * - the worker runs with V8 heap limits, so a runaway heap kills it (reported by the supervisor).
 */
import { getHeapStatistics } from 'node:v8';
import { zerosIntact } from './sample.js';
import type { Sample } from './sample.js';
import type { Problem, Target } from './target.js';

export interface Budget {
  /** Longest one execution may take. */
  timeMs: number;
  /** Most memory one execution may allocate (largest Buffer, all Buffers, heap growth). */
  memoryBytes: number;
}

/**
 * One second: an execution of the inspect target is two inspections, and the inspectors may scan
 * up to qemu's table limits (a 32 MiB qcow2 L1 table, 64 MiB of second-level tables), which takes
 * a few hundred milliseconds on a busy two-core machine. Only what goes beyond that is a finding.
 */
export const DEFAULT_BUDGET: Budget = { timeMs: 1000, memoryBytes: 64 << 20 };

const meter = { largest: 0, total: 0, installed: false };

/** Wraps the Buffer allocation functions once per thread. */
function installMeter(): void {
  if (meter.installed) return;
  meter.installed = true;
  for (const name of ['alloc', 'allocUnsafe', 'allocUnsafeSlow'] as const) {
    const original = Buffer[name] as (size: number, ...rest: unknown[]) => Buffer;
    Object.defineProperty(Buffer, name, {
      configurable: true,
      writable: true,
      value: function metered(size: number, ...rest: unknown[]): Buffer {
        if (typeof size === 'number') {
          meter.largest = Math.max(meter.largest, size);
          meter.total += size;
        }
        return original.call(Buffer, size, ...rest);
      },
    });
  }
}

function heapBytes(): number {
  const h = getHeapStatistics();
  return h.used_heap_size + h.external_memory;
}

const MiB = (n: number) => `${(n / 2 ** 20).toFixed(1)} MiB`;

export interface Execution {
  problems: Problem[];
  ms: number;
}

export async function execute(target: Target, sample: Sample, budget: Budget): Promise<Execution> {
  installMeter();
  const pristine = sample.extents.map((e) => Buffer.from(e.data));
  meter.largest = 0;
  meter.total = 0;
  const heapBefore = heapBytes();
  const t0 = performance.now();
  let problems: Problem[];
  try {
    problems = await target.run(sample);
  } catch (err) {
    const e = err instanceof Error ? err : new Error(String(err));
    problems = [{ kind: 'exception', message: `${e.name}: ${e.message}`, detail: e.stack ?? String(err) }];
  }
  const ms = performance.now() - t0;
  const heapGrowth = heapBytes() - heapBefore;

  if (meter.largest > budget.memoryBytes) {
    problems.push({ kind: 'memory', message: `one Buffer allocation of ${MiB(meter.largest)} (budget ${MiB(budget.memoryBytes)})` });
  } else if (meter.total > budget.memoryBytes) {
    problems.push({ kind: 'memory', message: `${MiB(meter.total)} of Buffers allocated in one execution (budget ${MiB(budget.memoryBytes)})` });
  }
  if (heapGrowth > budget.memoryBytes) {
    problems.push({ kind: 'memory', message: `heap and external memory grew by ${MiB(heapGrowth)} in one execution (budget ${MiB(budget.memoryBytes)})` });
  }
  if (!sample.extents.every((e, i) => e.data.equals(pristine[i]!)) || !zerosIntact()) {
    problems.push({ kind: 'input-modified', message: 'the code under test wrote into a buffer it had read' });
    sample.extents.forEach((e, i) => pristine[i]!.copy(e.data)); // report the input as it was given
  }
  if (ms > budget.timeMs) problems.push({ kind: 'slow', message: `one execution took ${ms.toFixed(0)} ms (budget ${budget.timeMs} ms)` });
  return { problems, ms };
}
