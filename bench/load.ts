/** Request loops shared by the catalog benchmarks and their bare-server baselines. */
import type { Reply } from './http-client.js';
import { percentile, secondsSince } from './stats.js';

export interface LoadResult {
  done: number;
  failures: number;
  firstError: string;
  seconds: number;
  rate: number;
}

/**
 * Sends request(i) for i = 0… from `concurrency` loops until `count` are sent or `seconds`
 * pass; counts replies with status `ok` as done.
 */
export async function concurrentLoad(send: (i: number) => Promise<Reply>, o: { count: number; seconds: number; concurrency: number; ok: number }): Promise<LoadResult> {
  let next = 0;
  let done = 0;
  let failures = 0;
  let firstError = '';
  const started = process.hrtime.bigint();
  const deadline = performance.now() + o.seconds * 1000;
  const loop = async () => {
    while (next < o.count && performance.now() < deadline) {
      const reply = await send(next++);
      if (reply.status === o.ok) done++;
      else {
        failures++;
        firstError ||= `HTTP ${reply.status}: ${reply.body.toString().slice(0, 200)}`;
      }
    }
  };
  await Promise.all(Array.from({ length: o.concurrency }, loop));
  const seconds = secondsSince(started);
  return { done, failures, firstError, seconds, rate: done / seconds };
}

/** Sequential requests (one connection): milliseconds p50 and p99 after `warmup` unmeasured ones. */
export async function latency(send: () => Promise<Reply>, o: { requests: number; warmup: number }): Promise<{ p50: number; p99: number }> {
  for (let i = 0; i < o.warmup; i++) await send();
  const ms: number[] = [];
  for (let i = 0; i < o.requests; i++) {
    const started = process.hrtime.bigint();
    const reply = await send();
    ms.push(secondsSince(started) * 1000);
    if (reply.status !== 200) throw new Error(`HTTP ${reply.status}: ${reply.body.toString().slice(0, 200)}`);
  }
  return { p50: percentile(ms, 0.5), p99: percentile(ms, 0.99) };
}
