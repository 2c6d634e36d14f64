/**
 * Frees spent transfer buffers while image data streams through the process.
 *
 * Every chunk of a request body is a fresh buffer (up to 64 KiB) outside the JavaScript heap
 * that dies as soon as it is on disk, and every read for a download one that dies once the
 * socket has it. V8 frees such buffers when it collects the young generation, but it only
 * does so when the heap itself fills, and a transfer allocates little on the heap per byte:
 * on its own, V8 let 13-20 MB of dead buffers pile up between collections during an upload,
 * 60 MB with four. A young-generation collection is cheap (under a millisecond on this heap),
 * so asking for one every EVERY_BYTES keeps the pile small.
 *
 * The interval matters both ways: a buffer still in flight at two collections is promoted to
 * the old generation, where only a full collection frees it, so collecting far more often
 * than the pipeline's bytes in flight made peak memory worse, not better (docs/benchmarks.md
 * has the figures).
 *
 * Node exposes the collector only with --expose-gc (`npm start` passes it); without it the
 * hint does nothing and V8 keeps its own pace.
 */
const EVERY_BYTES = 4 * 1024 * 1024;

export type Collector = () => void;

export class YoungGenerationReclaimer {
  private since = 0;

  constructor(private readonly collect: Collector | undefined, private readonly everyBytes = EVERY_BYTES) {}

  /** Uses the collector --expose-gc installs, if the process was started with it. */
  static forProcess(): YoungGenerationReclaimer {
    const gc = globalThis.gc;
    return new YoungGenerationReclaimer(gc ? () => gc({ type: 'minor' }) : undefined);
  }

  /** Counts bytes that have passed through; collects once every `everyBytes` of them. */
  passed(bytes: number): void {
    if (!this.collect) return;
    this.since += bytes;
    if (this.since < this.everyBytes) return;
    // One collection frees whatever piled up, however large the chunk that crossed the line.
    this.since %= this.everyBytes;
    this.collect();
  }
}
