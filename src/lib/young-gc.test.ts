import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { YoungGenerationReclaimer } from './young-gc.js';

describe('YoungGenerationReclaimer', () => {
  it('collects once per interval of bytes', () => {
    let collections = 0;
    const reclaimer = new YoungGenerationReclaimer(() => { collections++; }, 100);
    reclaimer.passed(60);
    assert.equal(collections, 0);
    reclaimer.passed(40);
    assert.equal(collections, 1, 'the 100th byte triggers a collection');
    reclaimer.passed(99);
    assert.equal(collections, 1);
    reclaimer.passed(250);
    assert.equal(collections, 2, 'one collection however far a chunk overshoots');
    reclaimer.passed(50);
    assert.equal(collections, 2, 'what the chunk carried past the line counts towards the next (49 + 50)');
    reclaimer.passed(1);
    assert.equal(collections, 3);
  });

  it('does nothing without a collector', () => {
    const reclaimer = new YoungGenerationReclaimer(undefined, 1);
    assert.doesNotThrow(() => reclaimer.passed(1 << 30));
  });

  it('uses the collector --expose-gc installs, and runs without one', () => {
    const saved = globalThis.gc;
    const calls: unknown[] = [];
    try {
      globalThis.gc = ((options?: unknown) => { calls.push(options); }) as NodeJS.GCFunction;
      YoungGenerationReclaimer.forProcess().passed(4 * 1024 * 1024);
      assert.deepEqual(calls, [{ type: 'minor' }]);
      globalThis.gc = undefined;
      assert.doesNotThrow(() => YoungGenerationReclaimer.forProcess().passed(64 * 1024 * 1024));
    } finally {
      globalThis.gc = saved;
    }
  });
});
