/**
 * The Imago process under test: loads the config module and `startServer` named in
 * IMAGO_BENCH_SERVER (compiled dist/ normally, src/ through tsx as a fallback), serves, and
 * prints one JSON line `{"ready":true,"url":…,"pid":…}`. It stops on SIGTERM/SIGINT or when
 * its stdin closes (the bench died), so it never outlives the bench. On SIGUSR2 it prints
 * `{"gc":{…}}`: the garbage-collection pauses since the last SIGUSR2 (count, total, longest).
 *
 * Only node: modules are imported statically: run.ts transpiles this file and runs it with
 * plain node, so no TypeScript loader sits in the measured process.
 */
import { PerformanceObserver } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';

interface ServeSpec {
  serverModule: string;
  configModule: string;
  overrides: Record<string, unknown>;
}

interface RunningServer {
  url: string;
  close(): Promise<void>;
}

const spec = JSON.parse(process.env.IMAGO_BENCH_SERVER ?? '') as ServeSpec;
const { loadConfig } = (await import(pathToFileURL(spec.configModule).href)) as {
  loadConfig(sources: { env: Record<string, string>; overrides: Record<string, unknown> }): unknown;
};
const { startServer } = (await import(pathToFileURL(spec.serverModule).href)) as {
  startServer(config: unknown): Promise<RunningServer>;
};
const server = await startServer(loadConfig({ env: {}, overrides: spec.overrides }));

let gc = { count: 0, totalMs: 0, maxMs: 0 };
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    gc.count++;
    gc.totalMs += entry.duration;
    gc.maxMs = Math.max(gc.maxMs, entry.duration);
  }
}).observe({ entryTypes: ['gc'] });
process.on('SIGUSR2', () => {
  // Entries are delivered asynchronously; let the ones already recorded arrive first.
  setImmediate(() => {
    process.stdout.write(`${JSON.stringify({ gc })}\n`);
    gc = { count: 0, totalMs: 0, maxMs: 0 };
  });
});

let stopping = false;
async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  const forced = setTimeout(() => process.exit(1), 10_000);
  forced.unref();
  try {
    await server.close();
  } finally {
    // exit() rather than draining: --cpu-prof writes its profile on a normal exit.
    process.exit(0);
  }
}
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());
process.stdin.on('end', () => void stop());
process.stdin.on('close', () => void stop());
process.stdin.resume();

process.stdout.write(`${JSON.stringify({ ready: true, url: server.url, pid: process.pid })}\n`);
