/**
 * What every reader produces: the virtual disk as an ordered, gap-free sequence of extents.
 * Zero runs are described, never materialised, so a 1 TiB sparse disk costs nothing to walk.
 */

export interface DataExtent {
  readonly offset: number;
  readonly length: number;
  readonly kind: 'data';
  /** Exactly `length` bytes; owned by the consumer (readers never reuse a buffer they yielded). */
  readonly data: Buffer;
}

export interface ZeroExtent {
  readonly offset: number;
  readonly length: number;
  readonly kind: 'zero';
}

export type Extent = DataExtent | ZeroExtent;

/** An extent without its bytes: what a planning pass needs to lay out an output image. */
export interface MapExtent {
  readonly offset: number;
  readonly length: number;
  readonly kind: 'data' | 'zero';
}

/** A virtual disk that can be read once, front to back (e.g. from an HTTP upload). */
export interface DiskStream {
  /** Virtual size in bytes. */
  readonly size: number;
  extents(): AsyncIterable<Extent>;
}

/**
 * A virtual disk on a random-access source: `extents()` may be called any number of times, and
 * `map()` tells which ranges hold data. For sparse formats the map comes from metadata alone, so
 * it may call a range "data" that turns out to be zeros (never the reverse); writers that lay out
 * their tables before the data rely on that.
 */
export interface SeekableDisk extends DiskStream {
  readonly seekable: true;
  map(): AsyncIterable<MapExtent>;
}

export function isSeekable(disk: DiskStream): disk is SeekableDisk {
  return (disk as Partial<SeekableDisk>).seekable === true;
}

/** A map from a full read: the extents with their bytes dropped. */
export async function* withoutData(extents: AsyncIterable<Extent>): AsyncGenerator<MapExtent> {
  for await (const { offset, length, kind } of extents) yield { offset, length, kind };
}
