/**
 * A fuzz target with one deliberate fault per seed, so that a test can show the engine reports
 * every kind of finding, including the ones that stop a worker (a hang, a heap blow-up).
 */
import { readAt, wholeSample } from '../../../fuzz/engine/sample.js';
import type { Problem, Target } from '../../../fuzz/engine/target.js';

export const FAULTS = ['ok', 'throw', 'slow', 'buffer', 'write', 'hang', 'heap'] as const;

function busy(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until);
}

export const target: Target = {
  name: 'faulty',
  coverageFilter: '/test/fuzz/support/faulty.target.ts',
  dictionary: [],
  seeds: () => FAULTS.map((word) => wholeSample(Buffer.from(word))),
  fixup: () => {},
  async run(sample): Promise<Problem[]> {
    const word = readAt(sample, 0, 8).toString('latin1');
    if (word === 'throw') throw new RangeError('a deliberate exception');
    if (word === 'slow') busy(150);
    if (word === 'buffer') Buffer.alloc(100 << 20);
    if (word === 'write') sample.extents[0]!.data[0]! ^= 1;
    if (word === 'hang') for (;;);
    if (word === 'heap') {
      const hoard: number[][] = [];
      for (;;) hoard.push(new Array<number>(1 << 16).fill(hoard.length));
    }
    return [];
  },
  isExpectedException: () => false,
};
