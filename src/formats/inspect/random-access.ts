/**
 * Random-access driver: runs the inspectors against a source that can read any range (a local
 * file), reading only the metadata they ask for. It enforces the same request rules as the
 * streaming driver (task.ts `checkOp`), and runs `all` sub-tasks one after another in order,
 * which yields the same results as the stream's interleaving because tasks share no state.
 */
import { open } from 'node:fs/promises';
import { asRefusal, checkOp } from './task.js';
import type { InspectContext, Inspector, Op, Task, ThreadPosition } from './task.js';
import { combine, settleInspector } from './verdict.js';
import type { InspectorState, VerdictPolicy } from './verdict.js';
import type { InspectionVerdict } from './types.js';

/** Anything that can read byte ranges: `read` returns fewer bytes only at the end of the source. */
export interface ByteSource {
  readonly size: number;
  read(offset: number, length: number): Promise<Buffer>;
}

export function bufferSource(buf: Buffer): ByteSource {
  return {
    size: buf.length,
    read: async (offset, length) => buf.subarray(Math.min(offset, buf.length), Math.min(offset + length, buf.length)),
  };
}

/** A read-only file source; call `close()` when done. */
export async function openFileSource(path: string): Promise<ByteSource & { close(): Promise<void> }> {
  const fh = await open(path, 'r');
  try {
    const { size } = await fh.stat();
    return {
      size,
      async read(offset, length) {
        const n = Math.max(0, Math.min(length, size - offset));
        const buf = Buffer.allocUnsafe(n);
        let got = 0;
        while (got < n) {
          const { bytesRead } = await fh.read(buf, got, n - got, offset + got);
          if (bytesRead === 0) break;
          got += bytesRead;
        }
        return buf.subarray(0, got);
      },
      close: () => fh.close(),
    };
  } catch (err) {
    await fh.close();
    throw err;
  }
}

const BLOCK = 64 * 1024;
const CACHED_BLOCKS = 64;
const SCAN_CHUNK = 1 << 20;

/**
 * Every inspector starts by reading the first few KiB; a small block cache turns those dozens
 * of small reads into a handful of system calls.
 */
function cached(source: ByteSource): ByteSource {
  const blocks = new Map<number, Promise<Buffer>>();
  const block = (i: number): Promise<Buffer> => {
    let b = blocks.get(i);
    if (!b) {
      if (blocks.size >= CACHED_BLOCKS) blocks.delete(blocks.keys().next().value!);
      b = source.read(i * BLOCK, BLOCK);
      blocks.set(i, b);
    }
    return b;
  };
  return {
    size: source.size,
    async read(offset, length) {
      const end = Math.min(offset + length, source.size);
      if (end <= offset) return Buffer.alloc(0);
      if (end - offset > BLOCK) return source.read(offset, end - offset);
      const first = Math.floor(offset / BLOCK);
      const last = Math.floor((end - 1) / BLOCK);
      const parts: Buffer[] = [];
      for (let i = first; i <= last; i++) parts.push(await block(i));
      const joined = parts.length === 1 ? parts[0]! : Buffer.concat(parts);
      return joined.subarray(offset - first * BLOCK, end - first * BLOCK);
    },
  };
}

type Resume = { value: unknown } | { error: unknown };

async function drive(gen: Task<unknown>, th: ThreadPosition, state: InspectorState, src: ByteSource): Promise<unknown> {
  let input: Resume = { value: undefined };
  for (;;) {
    const r: IteratorResult<Op, unknown> = 'error' in input ? gen.throw(input.error) : gen.next(input.value);
    if (r.done) return r.value;
    const op: Op = r.value;
    try {
      const bad = checkOp(op, th);
      if (bad) {
        input = { error: bad };
        continue;
      }
      input = { value: await answer(op, th, state, src) };
    } catch (err) {
      input = { error: err };
    }
  }
}

async function answer(op: Op, th: ThreadPosition, state: InspectorState, src: ByteSource): Promise<unknown> {
  switch (op.op) {
    case 'match':
      state.match = { format: op.format, role: op.role };
      return undefined;
    case 'read': {
      const data = await src.read(op.offset, op.length);
      th.pos = op.offset + op.length;
      return data;
    }
    case 'scan': {
      let records = 0;
      const end = Math.min(op.offset + op.length, src.size);
      const step = Math.max(op.record, Math.floor(SCAN_CHUNK / op.record) * op.record);
      for (let at = op.offset; at + op.record <= end; at += step) {
        const data = await src.read(at, Math.min(step, end - at));
        const whole = Math.floor(data.length / op.record);
        if (whole === 0) break;
        op.sink(data.subarray(0, whole * op.record), records);
        records += whole;
      }
      th.pos = op.offset + op.length;
      return records;
    }
    case 'size':
      th.ended = true;
      return src.size;
    case 'tail': {
      th.ended = true;
      const n = Math.min(op.length, src.size);
      return Buffer.from(await src.read(src.size - n, n));
    }
    case 'all': {
      const values: unknown[] = [];
      const children: ThreadPosition[] = [];
      for (let i = 0; i < op.tasks.length; i++) {
        const child = { pos: th.pos, ended: false };
        try {
          values.push(await drive(op.tasks[i]!, child, state, src));
          children.push(child);
        } catch (err) {
          for (const rest of op.tasks.slice(i + 1)) rest.return(undefined);
          throw asRefusal(err);
        }
      }
      for (const c of children) {
        th.pos = Math.max(th.pos, c.pos);
        th.ended ||= c.ended;
      }
      return values;
    }
  }
}

/**
 * Runs the inspectors in priority order and stops as soon as the verdict is decided (a refusal
 * by an early inspector needs nothing from the later ones).
 */
export async function inspectRandomAccess(
  inspectors: readonly Inspector[], ctx: InspectContext, policy: VerdictPolicy, source: ByteSource,
): Promise<InspectionVerdict> {
  const src = cached(source);
  const states: InspectorState[] = inspectors.map((inspector) => ({ inspector, match: null, settled: false, outcome: null }));
  for (const state of states) {
    try {
      settleInspector(state, { value: await drive(state.inspector.run(ctx), { pos: 0, ended: false }, state, src) });
    } catch (err) {
      settleInspector(state, { error: err });
    }
    const early = combine(states, policy, null);
    if (early) return early;
  }
  return combine(states, policy, src.size) ?? { ok: false, reason: 'invalid_header', message: 'inspector bug: no verdict' };
}
