/**
 * Starts Imago as a child process of its own (so its RSS is sampled alone) on 127.0.0.1 and a
 * free port, with a SQLite catalog in a fresh data directory, an admin token and one project
 * token. Compiled dist/ is preferred (what production runs); without it, src/ through tsx.
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startProcess, stopProcess, transpileChild, waitForReady } from './processes.js';

export const ADMIN_TOKEN = 'bench-admin-token';
export const PROJECT_TOKEN = 'bench-project-token';
export const PROJECT = 'bench';

const root = fileURLToPath(new URL('..', import.meta.url));

export interface ImagoProcess {
  url: string;
  pid: number;
  /** 'dist' or 'src (tsx)': which code is under test. */
  build: string;
  /** GC pauses in the server since the previous call (or its start). */
  gcPauses(): Promise<GcPauses>;
  stop(): Promise<void>;
}

export interface GcPauses {
  count: number;
  totalMs: number;
  maxMs: number;
}

export interface ImagoOptions {
  /** A fresh directory for this server's catalog and images. */
  dataDir: string;
  /** Where the transpiled launcher goes. */
  scratchDir: string;
  /** When set, the server runs with --cpu-prof and writes its profile here on stop. */
  profileDir?: string;
  /** Extra node flags for the server process. */
  nodeFlags?: readonly string[];
  /** Variables set for the process beside the bench's own environment. */
  env?: Readonly<Record<string, string>>;
  /** Another build to run instead of this checkout's dist/ (a directory with server.js and config.js). */
  dist?: string;
}

/** Which build `startImago` will run, for the report header. */
export function imagoBuild(dist?: string): string {
  return dist ?? (imagoModules().compiled ? 'dist' : 'src (tsx)');
}

/**
 * Imago's modules in the build under test: `module('server')` is dist/server.js, or
 * src/server.ts without a build (`compiled` false: the process then needs tsx).
 */
export function imagoModules(dist?: string): { compiled: boolean; module(name: string): string } {
  const distDir = dist ?? join(root, 'dist');
  const compiled = existsSync(join(distDir, 'server.js'));
  if (dist && !compiled) throw new Error(`no server.js in ${dist}`);
  return { compiled, module: (name) => (compiled ? join(distDir, `${name}.js`) : join(root, `src/${name}.ts`)) };
}

/** Node's arguments for a bench child (bench/NAME.ts): transpiled for plain node, or through tsx for src/. */
export function childArgs(name: string, compiled: boolean, scratchDir: string): string[] {
  const source = join(root, `bench/${name}.ts`);
  return compiled ? [transpileChild(source, scratchDir)] : ['--import', 'tsx', source];
}

export async function startImago(options: ImagoOptions): Promise<ImagoProcess> {
  await mkdir(options.dataDir, { recursive: true });
  const build = imagoModules(options.dist);
  const spec = {
    serverModule: build.module('server'),
    configModule: build.module('config'),
    overrides: {
      host: '127.0.0.1',
      port: 0,
      data_dir: options.dataDir,
      database_url: `sqlite:${join(options.dataDir, 'imago.db')}`,
      admin_token: ADMIN_TOKEN,
      tokens: `${PROJECT_TOKEN}:${PROJECT}`,
      log_level: 'warn',
    },
  };
  const flags = [...(options.nodeFlags ?? []), ...(options.profileDir ? ['--cpu-prof', `--cpu-prof-dir=${options.profileDir}`] : [])];
  const args = [...flags, ...childArgs('serve-imago', build.compiled, options.scratchDir)];
  const child = startProcess(process.execPath, args, {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, ...options.env, IMAGO_BENCH_SERVER: JSON.stringify(spec) },
  });
  const gcWaiters: ((pauses: GcPauses) => void)[] = [];
  const onMessage = (message: Record<string, unknown>) => {
    if (message.gc) gcWaiters.shift()?.(message.gc as GcPauses);
  };
  try {
    const { url, pid } = await waitForReady<{ url: string; pid: number }>(child, 'imago', onMessage);
    return {
      url,
      pid,
      build: imagoBuild(options.dist),
      gcPauses: () => new Promise((resolve) => {
        gcWaiters.push(resolve);
        child.kill('SIGUSR2');
      }),
      stop: () => stopProcess(child, 10_000),
    };
  } catch (err) {
    await stopProcess(child);
    throw err;
  }
}
