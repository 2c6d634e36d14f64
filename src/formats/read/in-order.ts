/**
 * Keeps several async jobs running ahead of the consumer and hands their results back in
 * submission order, so reads overlap with the decoding and writing of earlier results.
 */
export class InOrder<T> {
  private readonly queue: Promise<T>[] = [];

  push(job: Promise<T>): void {
    // Awaited in order by drain(); until then a failure must not count as an unhandled rejection.
    job.catch(() => undefined);
    this.queue.push(job);
  }

  /** Yields finished results, oldest first, until at most `keep` jobs remain queued. */
  async *drain(keep = 0): AsyncGenerator<T> {
    while (this.queue.length > keep) yield await this.queue.shift()!;
  }
}

export async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}
