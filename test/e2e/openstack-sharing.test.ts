/**
 * Image sharing through the real OpenStack clients (python3-openstackclient and
 * python3-glanceclient): the owner adds a project, the member accepts and sees the image,
 * the owner lists and removes members.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { openstackCli, type OpenStackCli } from '../support/openstack-cli.js';
import { requireTool } from '../support/require-tool.js';
import { json, startTestServer, TOKENS, type TestServer } from '../support/server.js';

let server: TestServer;
let cli: OpenStackCli;

const openstack = (token: string, ...args: string[]) => cli.openstackWithToken(server.url, token, ...args);
const glance = (token: string, ...args: string[]) => cli.glance(server.url, token, ...args);

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
  cli = await openstackCli();
});
after(async () => {
  await server?.close();
  await cli?.close();
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
