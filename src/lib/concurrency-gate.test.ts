import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConcurrencyGate } from './concurrency-gate.js';

/** A task that runs until `finish` is called. */
function controllable(): { task: () => Promise<string>; started: boolean; finish(value: string): void; fail(err: Error): void } {
  let settle!: { resolve(v: string): void; reject(e: Error): void };
  const handle = {
    started: false,
    task: () => {
      handle.started = true;
      return new Promise<string>((resolve, reject) => { settle = { resolve, reject }; });
    },
    finish: (value: string) => settle.resolve(value),
    fail: (err: Error) => settle.reject(err),
  };
  return handle;
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('ConcurrencyGate', () => {
  it('runs at most its limit at once and the rest in arrival order', async () => {
    const gate = new ConcurrencyGate(2);
    const tasks = [controllable(), controllable(), controllable(), controllable()];
    const results = tasks.map((t) => gate.run(t.task));
    await tick();
    assert.deepEqual(tasks.map((t) => t.started), [true, true, false, false]);
    assert.deepEqual(gate.load, { running: 2, waiting: 2 });
    tasks[1]!.finish('b');
    assert.equal(await results[1], 'b');
    await tick();
    assert.deepEqual(tasks.map((t) => t.started), [true, true, true, false], 'the first waiter takes the freed place');
    tasks[0]!.fail(new Error('boom'));
    await assert.rejects(results[0]!, /boom/);
    await tick();
    assert.equal(tasks[3]!.started, true, 'a failed task frees its place too');
    tasks[2]!.finish('c');
    tasks[3]!.finish('d');
    assert.deepEqual(await Promise.all(results.slice(2)), ['c', 'd']);
    assert.deepEqual(gate.load, { running: 0, waiting: 0 });
  });

  it('refuses a limit below one', () => {
    assert.throws(() => new ConcurrencyGate(0), RangeError);
  });
});
