/**
 * A store that runs out of space mid-upload: the client gets 413 (as from Glance), the image
 * is queued again, and the partial bytes are gone so the space is free for the retry. The
 * store is a real 2 MiB tmpfs, which needs root (CI runs as root).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { requireAvailable } from '../../support/require-tool.js';
import { json, startTestServer, upload, type TestServer } from '../../support/server.js';

let mountPoint: string | undefined;
let catalogDir: string;
let server: TestServer | undefined;

function tryMount(dir: string): boolean {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', dir], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

before(async () => {
  const dir = await mkdtemp(join(tmpdir(), 'imago-full-'));
  catalogDir = await mkdtemp(join(tmpdir(), 'imago-full-db-'));
  if (tryMount(dir)) mountPoint = dir;
  else await rm(dir, { recursive: true, force: true });
});

after(async () => {
  // The server's own clean-up removes its data dir; here that is the mount point itself.
  if (server) await server.close().catch(() => undefined);
  if (mountPoint) {
    execFileSync('umount', [mountPoint]);
    await rm(mountPoint, { recursive: true, force: true });
  }
  await rm(catalogDir, { recursive: true, force: true });
});

describe('disk full', () => {
  it('answers 413, requeues the image and frees the partial bytes', async (t) => {
    if (!requireAvailable(t, mountPoint !== undefined, 'mounting a tmpfs (root)')) return;
    server = await startTestServer({ data_dir: mountPoint, database_url: `sqlite:${join(catalogDir, 'imago.db')}` });
    const res = await server.request('/v2/images', json({ name: 'big', disk_format: 'raw', container_format: 'bare' }));
    const id = ((await res.json()) as { id: string }).id;
    const put = await server.request(`/v2/images/${id}/file`, upload(randomBytes(4 * 1024 * 1024)));
    assert.equal(put.status, 413, await put.clone().text());
    const image = await (await server.request(`/v2/images/${id}`)).json() as { status: string };
    assert.equal(image.status, 'queued');
    assert.deepEqual(await readdir(join(mountPoint!, 'images', 'staging')), []);
    const retry = await server.request(`/v2/images/${id}/file`, upload(randomBytes(512 * 1024)));
    assert.equal(retry.status, 204, 'the space was freed for a smaller retry');
  });
});
