/**
 * Command line: `npm run bench -- [--quick] [--only upload,list] [--runs N] [--profile] [--dir DIR]`.
 *
 *   --quick     256 MiB transfers (64 MiB each when concurrent, 512 MiB for the RSS growth
 *               check), 1,000 images, a 256 MiB disk to convert, 1 run: a fast sanity pass
 *   --only      comma-separated sections: baselines, upload, download, concurrent, rss,
 *               create, list, convert, inspect (the baselines a ratio needs always run;
 *               convert and inspect measure qemu-img in the same run as their baseline)
 *   --runs N    repetitions of every figure (default 3; the median is reported)
 *   --profile   run Imago with --cpu-prof; profiles are kept in a directory printed at the end
 *   --dir DIR   where temporary files go (default: the OS temp dir, the same disk as the data dir)
 *   --server-flags='…'  node flags for the Imago process (default: those of `npm start`); write it with `=`, as the value
 *                       starts with dashes (e.g. --server-flags='--single-threaded-gc')
 *   --imago-dist DIR    run another build of Imago (a directory with server.js and config.js),
 *                       to measure a change before making it
 */
import { readFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { GiB, MiB } from './stats.js';

export const SECTIONS = ['baselines', 'upload', 'download', 'concurrent', 'rss', 'create', 'list', 'convert', 'inspect'] as const;
export type Section = (typeof SECTIONS)[number];

export interface BenchOptions {
  quick: boolean;
  runs: number;
  sections: ReadonlySet<Section>;
  profile: boolean;
  dir: string;
  cores: number;
  serverFlags: string[];
  /** Environment assignments of `npm start` (e.g. MALLOC_ARENA_MAX), where the bench's own environment does not set them already. */
  serverEnv: Record<string, string>;
  imagoDist: string | undefined;
  /** The single-transfer size (upload, download, baselines). */
  bigBytes: number;
  /** Each of the concurrent uploads. */
  concBytes: number;
  concurrency: number;
  /** The larger upload that shows RSS does not grow with image size. */
  hugeBytes: number;
  /** Images in the catalog for the list latencies. */
  listImages: number;
  /** Create-rate runs stop after this long or this many creates, whichever comes first. */
  createSeconds: number;
  createMax: number;
  createConcurrency: number;
  /** Unmeasured creates before the first create run, so the server's code is compiled. */
  createWarmup: number;
  listRequests: number;
  listWarmup: number;
  /** The disk converted by each tool in the convert section. */
  convertBytes: number;
}

export function parseOptions(argv: string[]): BenchOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: 'boolean', default: false },
      only: { type: 'string' },
      runs: { type: 'string' },
      profile: { type: 'boolean', default: false },
      dir: { type: 'string', default: tmpdir() },
      'server-flags': { type: 'string' },
      'imago-dist': { type: 'string' },
    },
  });
  const quick = values.quick ?? false;
  const only = values.only?.split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = only?.filter((s) => !(SECTIONS as readonly string[]).includes(s)) ?? [];
  if (unknown.length > 0) throw new Error(`--only: unknown section(s) ${unknown.join(', ')}; choose from ${SECTIONS.join(', ')}`);
  const runs = values.runs === undefined ? (quick ? 1 : 3) : Number(values.runs);
  if (!Number.isInteger(runs) || runs < 1) throw new Error('--runs must be a positive whole number');
  const bigBytes = quick ? 256 * MiB : GiB;
  const start = npmStart();
  return {
    quick,
    runs,
    sections: new Set((only ?? SECTIONS) as Section[]),
    profile: values.profile ?? false,
    dir: values.dir ?? tmpdir(),
    cores: cpus().length,
    serverFlags: values['server-flags'] === undefined ? start.flags : values['server-flags'].split(/\s+/).filter(Boolean),
    serverEnv: start.env,
    imagoDist: values['imago-dist'] === undefined ? undefined : resolve(values['imago-dist']),
    bigBytes,
    concBytes: bigBytes / 4,
    concurrency: 4,
    hugeBytes: bigBytes * 2,
    listImages: quick ? 1_000 : 10_000,
    createSeconds: quick ? 2 : 5,
    createMax: quick ? 1_000 : 10_000,
    createConcurrency: 12,
    createWarmup: quick ? 200 : 500,
    listRequests: quick ? 100 : 300,
    listWarmup: 50,
    convertBytes: quick ? 256 * MiB : 2 * GiB,
  };
}

/**
 * The node flags of `npm start` (package.json) and the NAME=value assignments in front of
 * `node`, so the figures are those users get. A variable the bench's environment already sets
 * keeps that value, so a comparison can change it from the command line.
 */
function npmStart(): { flags: string[]; env: Record<string, string> } {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { scripts: { start: string } };
  const words = pkg.scripts.start.split(/\s+/);
  const env: Record<string, string> = {};
  for (const word of words.slice(0, words.indexOf('node'))) {
    const match = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(word);
    if (match) env[match[1]!] = process.env[match[1]!] ?? match[2]!;
  }
  return { flags: words.filter((word) => word.startsWith('--')), env };
}
