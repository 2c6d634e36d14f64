/**
 * A private, real OpenStack Keystone for one test file: test/tooling/keystone/keystone.sh
 * configures it with its state in a temporary directory, serves it with uwsgi on a free
 * 127.0.0.1 port and seeds it. Start it in `before` and always `close()` it in `after`.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { hasCommand } from './require-tool.js';

const run = promisify(execFile);
const SCRIPT = new URL('../tooling/keystone/keystone.sh', import.meta.url).pathname;

export interface SeededUser {
  id: string;
  password: string;
  /** Name of the project the user has roles on. */
  project: string;
  roles: string[];
}

export interface PrivateKeystone {
  /** Identity v3 root, e.g. http://127.0.0.1:PORT/v3. */
  url: string;
  /** Project ids by name: admin, service, one, two. */
  projects: Record<string, string>;
  /** admin (role admin on project admin), imago (service user, role service on project service),
   * one-member, one-reader, two-member, two-reader. */
  users: Record<string, SeededUser>;
  /** A token scoped to the user's project (or none: unscoped). */
  token(user: string, options?: { unscoped?: boolean }): Promise<string>;
  /** A call to Keystone's API as its admin. */
  admin(path: string, init?: RequestInit): Promise<Response>;
  /** Revokes a token the way `openstack token revoke` does. */
  revoke(token: string): Promise<void>;
  /** How many token validations (GET /v3/auth/tokens) Keystone has served so far. */
  validations(): Promise<number>;
  /** Stops the server but keeps its state (to test an unreachable Keystone). */
  stopServer(): Promise<void>;
  /** Stops it and removes its state; safe to call more than once. */
  close(): Promise<void>;
}

/** Whether the machine has what keystone.sh needs (Debian's keystone and uwsgi packages). */
export function keystoneInstalled(): boolean {
  return hasCommand('keystone-manage') && hasCommand('uwsgi_python3');
}

/** A port on 127.0.0.1 that was free a moment ago. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

export async function startKeystone(): Promise<PrivateKeystone> {
  const state = await mkdtemp(join(tmpdir(), 'imago-keystone-'));
  let seeded: { url: string; projects: Record<string, string>; users: Record<string, SeededUser> };
  try {
    const { stdout } = await run('bash', [SCRIPT, 'start', state, String(await freePort())], { timeout: 180_000 });
    seeded = JSON.parse(stdout);
  } catch (err) {
    await run('bash', [SCRIPT, 'stop', state]).catch(() => undefined);
    await rm(state, { recursive: true, force: true });
    throw err;
  }
  const { url, projects, users } = seeded;

  const token = async (name: string, options: { unscoped?: boolean } = {}): Promise<string> => {
    const user = users[name];
    if (!user) throw new Error(`no seeded user ${name}`);
    const res = await fetch(`${url}/auth/tokens?nocatalog`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        auth: {
          identity: { methods: ['password'], password: { user: { id: user.id, password: user.password } } },
          // Without a scope Keystone would scope the token to the user's default project.
          scope: options.unscoped ? 'unscoped' : { project: { id: projects[user.project] } },
        },
      }),
    });
    if (res.status !== 201) throw new Error(`Keystone refused a token for ${name}: ${res.status} ${await res.text()}`);
    await res.arrayBuffer();
    return res.headers.get('x-subject-token')!;
  };
  let adminToken: string | undefined;
  const admin = async (path: string, init: RequestInit = {}): Promise<Response> => {
    adminToken ??= await token('admin');
    const headers = new Headers(init.headers);
    headers.set('x-auth-token', adminToken);
    if (init.body !== undefined) headers.set('content-type', 'application/json');
    return fetch(`${url}${path}`, { ...init, headers });
  };
  let running = true;
  const stopServer = async (): Promise<void> => {
    if (!running) return;
    running = false;
    await run('bash', [SCRIPT, 'stop', state]);
  };

  return {
    url,
    projects,
    users,
    token,
    admin,
    async revoke(subject) {
      const res = await admin('/auth/tokens', { method: 'DELETE', headers: { 'x-subject-token': subject } });
      if (res.status !== 204) throw new Error(`Keystone did not revoke the token: ${res.status} ${await res.text()}`);
    },
    async validations() {
      const log = await readFile(join(state, 'log', 'uwsgi.log'), 'utf8');
      return log.split('\n').filter((line) => line.includes('GET /v3/auth/tokens')).length;
    },
    stopServer,
    async close() {
      try {
        await stopServer();
      } finally {
        await rm(state, { recursive: true, force: true });
      }
    },
  };
}
