/**
 * Image sharing through the real OpenStack clients (python3-openstackclient and
 * python3-glanceclient): the owner adds a project, the member accepts and sees the image,
 * the owner lists and removes members.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { requireTool } from '../support/require-tool.js';
import { json, startTestServer, TOKENS, type TestServer } from '../support/server.js';

const run = promisify(execFile);
let server: TestServer;
let work: string;
let cleanEnv: NodeJS.ProcessEnv;

async function openstack(token: string, ...args: string[]): Promise<string> {
  const { stdout } = await run('openstack', ['--os-auth-type', 'admin_token', '--os-endpoint', `${server.url}/v2`, '--os-token', token, '--os-image-api-version', '2', ...args], { env: cleanEnv, timeout: 120_000 });
  return stdout;
}
async function glance(token: string, ...args: string[]): Promise<string> {
  const { stdout } = await run('glance', ['--os-image-url', server.url, '--os-auth-token', token, ...args], { env: cleanEnv, timeout: 120_000 });
  return stdout;
}

async function sharedImage(name: string): Promise<string> {
  const res = await server.request('/v2/images', { ...json({ name, disk_format: 'raw', container_format: 'bare', visibility: 'shared' }), token: TOKENS.projA });
  assert.equal(res.status, 201);
  return ((await res.json()) as { id: string }).id;
}

async function listedBy(token: string): Promise<string[]> {
  const res = await server.request('/v2/images', { token });
  return ((await res.json()) as { images: Array<{ id: string }> }).images.map((i) => i.id);
}

before(async () => {
  server = await startTestServer();
  work = await mkdtemp(join(tmpdir(), 'imago-osc-share-'));
  // The clients read OS_* variables and cache schemas under HOME; each run gets its own.
  cleanEnv = { ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('OS_'))), HOME: work };
});
after(async () => {
  await server?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

describe('sharing with the OpenStack clients', () => {
  // `openstack image add project` and `image set --accept --project` first look the project up
  // in Keystone, which this token-only setup does not have; the member API itself is the same.
  it('openstack image member list shows what the owner shared', async (t) => {
    if (!requireTool(t, 'openstack')) return;
    const id = await sharedImage('osc-shared');
    assert.equal((await server.request(`/v2/images/${id}/members`, { ...json({ member: 'project-b' }), token: TOKENS.projA })).status, 200);
    const members = JSON.parse(await openstack(TOKENS.projA, 'image', 'member', 'list', id, '-f', 'json')) as Array<Record<string, string>>;
    assert.deepEqual(members.map((m) => [m['Member ID'], m.Status]), [['project-b', 'pending']]);
    const own = JSON.parse(await openstack(TOKENS.projB, 'image', 'member', 'list', id, '-f', 'json')) as Array<Record<string, string>>;
    assert.equal(own.length, 1);
  });

  it('glance member-create / member-update / member-list / member-delete', async (t) => {
    if (!requireTool(t, 'glance')) return;
    const id = await sharedImage('glance-shared');
    await glance(TOKENS.projA, 'member-create', id, 'project-b');
    await glance(TOKENS.projB, 'member-update', id, 'project-b', 'accepted');
    assert.ok((await listedBy(TOKENS.projB)).includes(id));
    assert.match(await glance(TOKENS.projA, 'member-list', '--image-id', id), /project-b\s*\|\s*accepted/);
    await glance(TOKENS.projA, 'member-delete', id, 'project-b');
    assert.doesNotMatch(await glance(TOKENS.projA, 'member-list', '--image-id', id), /project-b/);
  });
});
