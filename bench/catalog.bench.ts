/**
 * Imago's catalog over HTTP keep-alive, from this process (the server is a separate one):
 *   create   POST /v2/images from several concurrent clients for a few seconds (or up to a
 *            cap), creates/s, after an unmeasured warm-up; each round continues the catalog
 *   list     GET /v2/images latency p50/p99 with N images registered: plain first page, a name
 *            filter and a tag filter (tags spread over 10 groups), sequential requests on one
 *            connection after a warm-up
 * Each part has its own server, so the list always sees exactly N images.
 */
import { ApiClient } from './http-client.js';
import { PROJECT_TOKEN, type ImagoProcess } from './imago-process.js';
import { concurrentLoad, latency } from './load.js';
import type { BenchOptions } from './options.js';
import { addGc, type Phase, type Results } from './results.js';

export const LIST_QUERIES = ['limit=25', 'name=bench-000042', 'tag=grp-7&limit=25'] as const;

const imageBody = (i: number) => ({
  name: `bench-${String(i).padStart(6, '0')}`,
  disk_format: 'raw',
  container_format: 'bare',
  tags: [`grp-${i % 10}`],
  bench_index: String(i),
});

/** Creates images first… until `count` are made or `seconds` pass. */
function createImages(api: ApiClient, first: number, count: number, seconds: number, concurrency: number) {
  return concurrentLoad((i) => api.request('POST', '/v2/images', imageBody(first + i)), { count, seconds, concurrency, ok: 201 });
}

export async function startCatalog(
  results: Results,
  options: BenchOptions,
  o: { launch(name: string): Promise<ImagoProcess>; log(message: string): void },
): Promise<Phase> {
  const servers: ImagoProcess[] = [];
  const clients: ApiClient[] = [];
  const launch = async (name: string, sockets: number) => {
    const imago = await o.launch(name);
    servers.push(imago);
    const api = new ApiClient(imago.url, PROJECT_TOKEN, sockets);
    clients.push(api);
    return { imago, api };
  };
  const stop = async () => {
    for (const client of clients) client.close();
    await Promise.all(servers.map((server) => server.stop()));
  };

  try {
    let creator: { imago: ImagoProcess; api: ApiClient } | undefined;
    let next = 0;
    if (options.sections.has('create')) {
      creator = await launch('catalog-create', options.createConcurrency);
      const warm = await createImages(creator.api, 0, options.createWarmup, Infinity, options.createConcurrency);
      next = warm.done + warm.failures;
      o.log(`create: warmed up with ${warm.done} images`);
    }
    let lister: { imago: ImagoProcess; api: ApiClient } | undefined;
    if (options.sections.has('list')) {
      const filler = await launch('catalog-list', options.createConcurrency);
      const filled = await createImages(filler.api, 0, options.listImages, Infinity, options.createConcurrency);
      if (filled.done !== options.listImages) throw new Error(`registered ${filled.done} of ${options.listImages} images (${filled.firstError})`);
      results.populate = { images: filled.done, rate: filled.rate };
      o.log(`list: registered ${filled.done} images in ${filled.seconds.toFixed(1)} s (${filled.rate.toFixed(0)}/s)`);
      lister = { imago: filler.imago, api: new ApiClient(filler.imago.url, PROJECT_TOKEN, 1) };
      clients.push(lister.api);
    }

    return {
      async round(run) {
        if (creator) {
          const c = (results.creates ??= { rates: [], failures: 0, concurrency: options.createConcurrency });
          await creator.imago.gcPauses();
          const r = await createImages(creator.api, next, options.createMax, options.createSeconds, options.createConcurrency);
          addGc(results, 'create', await creator.imago.gcPauses(), r.done + r.failures);
          next += r.done + r.failures;
          c.rates.push(r.rate);
          c.failures += r.failures;
          o.log(`create run ${run}: ${r.done} images in ${r.seconds.toFixed(2)} s = ${r.rate.toFixed(0)}/s with ${options.createConcurrency} clients`
            + (r.failures ? `, ${r.failures} failed (${r.firstError})` : ''));
        }
        if (lister) {
          const { api, imago } = lister;
          for (const query of LIST_QUERIES) {
            const path = `/v2/images?${query}`;
            const entry = (results.list[query] ??= { p50: [], p99: [], page: (await api.json<{ images: unknown[] }>('GET', path)).images.length });
            if (run === 1) for (let i = 0; i < options.listWarmup; i++) await api.request('GET', path);
            await imago.gcPauses();
            const r = await latency(() => api.request('GET', path), { requests: options.listRequests, warmup: 0 });
            addGc(results, 'list', await imago.gcPauses(), options.listRequests);
            entry.p50.push(r.p50);
            entry.p99.push(r.p99);
            o.log(`list ?${query} run ${run}: p50 ${r.p50.toFixed(2)} ms, p99 ${r.p99.toFixed(2)} ms (page ${entry.page})`);
          }
        }
      },
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
