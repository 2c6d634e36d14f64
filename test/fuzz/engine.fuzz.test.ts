/**
 * The fuzz engine's guards, on a target with deliberate faults (support/faulty.target.ts): an
 * escaping exception, a slow execution, an oversized allocation and a write into the input are
 * reported by the worker; a hang and a heap blow-up stop the worker, and the supervisor names the
 * input from the shared control buffer, then carries on in a new worker without it.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { materialize } from '../../fuzz/engine/sample.js';
import { fuzz } from '../../fuzz/engine/supervisor.js';

describe('fuzz engine', () => {
  it('reports every kind of fault, including hangs and out-of-memory crashes', async () => {
    const result = await fuzz({
      target: new URL('./support/faulty.target.ts', import.meta.url).href,
      seconds: 60,
      maxRuns: 50,
      seed: 7,
      budget: { timeMs: 100, memoryBytes: 64 << 20 },
      hangMs: 1000,
      heapLimitMb: 64,
    });
    const found = result.findings.map((f) => `${f.kind} <- ${materialize(f.sample).toString('latin1')}`);
    for (const expected of ['exception <- throw', 'slow <- slow', 'memory <- buffer', 'input-modified <- write', 'hang <- hang', 'crash <- heap']) {
      assert.ok(found.includes(expected), `${expected} missing from ${found.join(', ')}`);
    }
    assert.equal(result.restarts, 2);
    assert.ok(result.execs >= 50, `${result.execs} executions`);
  });
});
