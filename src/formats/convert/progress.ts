/**
 * Progress for long conversions: wraps a disk so that walking it reports how far the walk got.
 * Layout-first outputs walk the disk twice ("plan", then "write").
 */
import { isSeekable, type DiskStream, type MapExtent } from '../read/disk.js';

export interface ConvertProgress {
  readonly phase: 'plan' | 'write';
  /** Virtual bytes done in this phase. */
  readonly done: number;
  readonly total: number;
}

export type ProgressListener = (progress: ConvertProgress) => void;

export function withProgress<T extends DiskStream>(disk: T, listener: ProgressListener): T {
  const report = async function* <E extends MapExtent>(phase: ConvertProgress['phase'], extents: AsyncIterable<E>): AsyncGenerator<E> {
    for await (const extent of extents) {
      yield extent;
      listener({ phase, done: extent.offset + extent.length, total: disk.size });
    }
  };
  const wrapped: DiskStream = { size: disk.size, extents: () => report('write', disk.extents()) };
  if (!isSeekable(disk)) return wrapped as T;
  return { ...wrapped, seekable: true, map: () => report('plan', disk.map()) } as unknown as T;
}
