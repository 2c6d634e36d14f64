/**
 * Imago's data plane through curl, as a client sees it:
 *   upload       create + PUT of one big file (wall time from the POST to curl's exit)
 *   download     GET of that image to /dev/null (curl's speed_download)
 *   concurrent   N curl uploads of a quarter-size file to N images at once (aggregate, failures)
 *   rss          peak RSS of the server during the uploads above and during one of twice the
 *                size, to show that memory does not grow with the image
 * Server CPU per GiB (all threads, and the main thread alone) is recorded alongside.
 */
import { curlDownload, curlUpload } from './curl.js';
import { ApiClient } from './http-client.js';
import { PROJECT_TOKEN, type ImagoProcess } from './imago-process.js';
import type { BenchOptions } from './options.js';
import { cpuSince, cpuTimes, machineBusySeconds, type CpuTimes } from './proc-stats.js';
import { addGc, type Phase, type Results } from './results.js';
import { currentRss, RssSampler } from './rss-sampler.js';
import { GiB, MiB, mibPerSecond, secondsSince } from './stats.js';
import { warmFile } from './test-data.js';

export interface DataPlaneFiles {
  big: string;
  conc: string;
  huge: string;
}

export async function startDataPlane(
  results: Results,
  options: BenchOptions,
  o: { files: DataPlaneFiles; launch(name: string): Promise<ImagoProcess>; log(message: string): void },
): Promise<Phase> {
  const s = options.sections;
  const imago = await o.launch('data-plane');
  const api = new ApiClient(imago.url, PROJECT_TOKEN, options.concurrency);
  const fileUrl = (id: string) => `${imago.url}/v2/images/${id}/file`;
  const create = async (name: string) => (await api.json<{ id: string }>('POST', '/v2/images', { name, disk_format: 'raw', container_format: 'bare' }, 201)).id;
  const remove = async (id: string) => {
    const reply = await api.request('DELETE', `/v2/images/${id}`);
    if (reply.status !== 204) throw new Error(`DELETE image → ${reply.status}`);
  };
  const cpuPerGiB = (key: 'upload' | 'download' | 'concurrent', used: CpuTimes & { machine: number }, bytes: number) => {
    const entry = (results.cpu[key] ??= { total: [], main: [], machine: [] });
    const gib = bytes / GiB;
    entry.total.push(used.total / gib);
    entry.main.push(used.main / gib);
    entry.machine.push(used.machine / gib);
    return `server CPU ${(used.total / gib).toFixed(2)} core-s/GiB (main thread ${(used.main / gib).toFixed(2)}, machine ${(used.machine / gib).toFixed(2)})`;
  };
  /** The server's CPU and the whole machine's since `start()`. */
  const cpuMeter = () => {
    const server = cpuTimes(imago.pid);
    const machine = machineBusySeconds();
    return () => ({ ...cpuSince(imago.pid, server), machine: machineBusySeconds() - machine });
  };
  const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;

  /** Create + upload one file, sampling RSS and CPU meanwhile. */
  const uploadOne = async (bytes: number, file: string, name: string) => {
    await warmFile(file);
    const sampler = new RssSampler(imago.pid);
    const started = process.hrtime.bigint();
    const id = await create(name);
    const cpu = cpuMeter();
    const t = await curlUpload(fileUrl(id), file, PROJECT_TOKEN);
    const seconds = secondsSince(started);
    const used = cpu();
    const rss = sampler.stop();
    if (t.status !== 204) throw new Error(`upload of ${name}: HTTP ${t.status}`);
    results.rss.highWaterMarkUsed = rss.highWaterMark !== undefined;
    return { id, rate: mibPerSecond(bytes, seconds), rss: rss.peak, cpu: used };
  };

  const uploadAndDownload = async (run: number) => {
    await imago.gcPauses();
    const up = await uploadOne(options.bigBytes, o.files.big, `bench-big-${run}`);
    addGc(results, 'upload', await imago.gcPauses(), 1);
    (results.upload ??= []).push(up.rate);
    (results.rss.upload ??= []).push(up.rss);
    let line = `upload run ${run}: ${up.rate.toFixed(0)} MiB/s, peak RSS ${mb(up.rss)}, ${cpuPerGiB('upload', up.cpu, options.bigBytes)}`;
    if (s.has('download')) {
      const cpu = cpuMeter();
      const d = await curlDownload(fileUrl(up.id), PROJECT_TOKEN);
      const cpuLine = cpuPerGiB('download', cpu(), options.bigBytes);
      if (d.status !== 200 || d.bytes !== options.bigBytes) throw new Error(`download: HTTP ${d.status}, ${d.bytes} bytes`);
      (results.download ??= []).push(d.speed / MiB);
      line += `; download ${(d.speed / MiB).toFixed(0)} MiB/s, ${cpuLine}`;
    }
    o.log(line);
    await remove(up.id);
  };

  const concurrent = async (run: number) => {
    const c = (results.concurrent ??= { aggregate: [], failures: 0, attempted: 0 });
    const ids: string[] = [];
    for (let k = 1; k <= options.concurrency; k++) ids.push(await create(`bench-conc-${run}-${k}`));
    await warmFile(o.files.conc);
    const sampler = new RssSampler(imago.pid);
    const cpu = cpuMeter();
    const started = process.hrtime.bigint();
    const transfers = await Promise.all(ids.map((id) => curlUpload(fileUrl(id), o.files.conc, PROJECT_TOKEN).catch(() => undefined)));
    const seconds = secondsSince(started);
    const used = cpu();
    const rss = sampler.stop();
    const ok = transfers.filter((t) => t?.status === 204).length;
    const cpuLine = cpuPerGiB('concurrent', used, options.concBytes * ids.length);
    c.attempted += ids.length;
    c.failures += ids.length - ok;
    c.aggregate.push(mibPerSecond(ok * options.concBytes, seconds));
    (results.rss.concurrent ??= []).push(rss.peak);
    o.log(`concurrent run ${run}: ${ok}/${ids.length} ok, ${c.aggregate.at(-1)!.toFixed(0)} MiB/s aggregate, peak RSS ${mb(rss.peak)}, ${cpuLine}`
      + (ok < ids.length ? ` (statuses ${transfers.map((t) => t?.status ?? 'curl error').join(' ')})` : ''));
    for (const id of ids) await remove(id);
  };

  const large = async (run: number) => {
    const up = await uploadOne(options.hugeBytes, o.files.huge, `bench-huge-${run}`);
    (results.hugeUpload ??= []).push(up.rate);
    (results.rss.huge ??= []).push(up.rss);
    o.log(`large upload run ${run}: ${up.rate.toFixed(0)} MiB/s, peak RSS ${mb(up.rss)}`);
    await remove(up.id);
  };

  results.rss.idle = currentRss(imago.pid);
  o.log(`imago (${imago.build}) pid ${imago.pid} at ${imago.url}, idle RSS ${mb(results.rss.idle ?? 0)}`);
  return {
    async round(run) {
      if (s.has('upload') || s.has('download') || s.has('rss')) await uploadAndDownload(run);
      if (s.has('concurrent')) await concurrent(run);
      if (s.has('rss')) await large(run);
    },
    async stop() {
      api.close();
      await imago.stop();
    },
  };
}
