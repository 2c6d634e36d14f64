/**
 * Starts a real Imago (real SQLite or PostgreSQL catalog, real file store) on 127.0.0.1 and a
 * free port for one test file, and tears it down afterwards, data directory included.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config.js';
import { startServer } from '../../src/server.js';

export const ADMIN_TOKEN = 'admin-secret-token';
export const TOKENS = {
  projA: 'project-a-member-token',
  projAReader: 'project-a-reader-token',
  projB: 'project-b-member-token',
  projBReader: 'project-b-reader-token',
  projC: 'project-c-member-token',
} as const;

export interface TestServer {
  url: string;
  dataDir: string;
  close(): Promise<void>;
  /** fetch against the server with a token (admin by default). */
  request(path: string, init?: RequestInit & { token?: string | null }): Promise<Response>;
}

export async function startTestServer(overrides: Record<string, unknown> = {}): Promise<TestServer> {
  const dataDir = await mkdtemp(join(tmpdir(), 'imago-test-'));
  const config = loadConfig({
    env: {},
    overrides: {
      data_dir: dataDir,
      port: 0,
      admin_token: ADMIN_TOKEN,
      tokens: `${TOKENS.projA}:project-a,${TOKENS.projAReader}:project-a:reader,${TOKENS.projB}:project-b,${TOKENS.projBReader}:project-b:reader,${TOKENS.projC}:project-c`,
      log_level: 'silent',
      ...overrides,
    },
  });
  const server = await startServer(config);
  return {
    url: server.url,
    dataDir,
    async close() {
      await server.close();
      await rm(dataDir, { recursive: true, force: true });
    },
    request(path, init = {}) {
      const { token = ADMIN_TOKEN, ...rest } = init;
      const headers = new Headers(rest.headers);
      if (token !== null) headers.set('x-auth-token', token);
      return fetch(`${server.url}${path}`, { ...rest, headers, ...(rest.body instanceof ReadableStream ? { duplex: 'half' } : {}) } as RequestInit);
    },
  };
}

export const json = (body: unknown): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

export const patch = (ops: unknown, type = 'application/openstack-images-v2.1-json-patch'): RequestInit => ({
  method: 'PATCH',
  headers: { 'content-type': type },
  body: JSON.stringify(ops),
});

export const upload = (data: Uint8Array | string, headers: Record<string, string> = {}): RequestInit => ({
  method: 'PUT',
  headers: { 'content-type': 'application/octet-stream', ...headers },
  body: data,
});
