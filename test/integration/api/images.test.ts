/** The image records API against a real server: Glance v2 semantics for create/show/update/delete. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { json, patch, startTestServer, TOKENS, type TestServer } from '../../support/server.js';

let server: TestServer;
before(async () => { server = await startTestServer(); });
after(async () => { await server?.close(); });

async function create(body: Record<string, unknown>, token?: string): Promise<Record<string, any>> {
  const res = await server.request('/v2/images', { ...json(body), token });
  assert.equal(res.status, 201, await res.clone().text());
  return res.json() as Promise<Record<string, any>>;
}

describe('versions', () => {
  it('answers / with 300 and /versions with 200, linking the v2 endpoint absolutely', async () => {
    const root = await fetch(`${server.url}/`);
    assert.equal(root.status, 300);
    const versions = await (await fetch(`${server.url}/versions`)).json() as { versions: Array<{ id: string; status: string; links: Array<{ href: string }> }> };
    const current = versions.versions.find((v) => v.status === 'CURRENT');
    assert.ok(current);
    assert.equal(current.links[0]!.href, `${server.url}/v2/`);
  });
});

describe('authentication', () => {
  it('refuses requests without a token with 401, and with an unknown token too', async () => {
    assert.equal((await server.request('/v2/images', { token: null })).status, 401);
    assert.equal((await server.request('/v2/images', { token: 'not-a-real-token' })).status, 401);
  });
});

describe('create and show', () => {
  it('creates a queued image owned by the caller, with Location and Glance fields', async () => {
    const res = await server.request('/v2/images', { ...json({ name: 'debian', disk_format: 'qcow2', container_format: 'bare', os_distro: 'debian', tags: ['a', 'b'] }), token: TOKENS.projA });
    assert.equal(res.status, 201);
    const image = await res.json() as Record<string, any>;
    assert.equal(res.headers.get('location'), `/v2/images/${image.id}`);
    assert.equal(image.status, 'queued');
    assert.equal(image.owner, 'project-a');
    assert.equal(image.visibility, 'shared');
    assert.equal(image.protected, false);
    assert.equal(image.os_hidden, false);
    assert.equal(image.size, null);
    assert.equal(image.checksum, null);
    assert.equal(image.os_distro, 'debian');
    assert.deepEqual([...image.tags].sort(), ['a', 'b']);
    assert.equal(image.self, `/v2/images/${image.id}`);
    assert.equal(image.file, `/v2/images/${image.id}/file`);
    assert.equal(image.schema, '/v2/schemas/image');
    assert.match(image.created_at, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    const shown = await (await server.request(`/v2/images/${image.id}`, { token: TOKENS.projA })).json();
    assert.deepEqual(shown, image);
  });

  it('accepts a client-chosen id once, and refuses it again with 409 (also after deletion)', async () => {
    const id = 'a9b8c7d6-1111-4222-8333-444455556666';
    await create({ id, name: 'chosen' });
    assert.equal((await server.request('/v2/images', json({ id, name: 'again' }))).status, 409);
    assert.equal((await server.request(`/v2/images/${id}`, { method: 'DELETE' })).status, 204);
    assert.equal((await server.request(`/v2/images/${id}`)).status, 404);
    assert.equal((await server.request('/v2/images', json({ id, name: 'after delete' }))).status, 409);
  });

  it('hides private images of other projects with 404', async () => {
    const image = await create({ name: 'secret', visibility: 'private' }, TOKENS.projA);
    assert.equal((await server.request(`/v2/images/${image.id}`, { token: TOKENS.projB })).status, 404);
    assert.equal((await server.request(`/v2/images/${image.id}`)).status, 200, 'admin sees everything');
  });

  it('lets only admins publicize', async () => {
    assert.equal((await server.request('/v2/images', { ...json({ name: 'pub', visibility: 'public' }), token: TOKENS.projA })).status, 403);
    const image = await create({ name: 'pub', visibility: 'public' });
    assert.equal((await server.request(`/v2/images/${image.id}`, { token: TOKENS.projB })).status, 200);
  });

  it('does not let a reader create', async () => {
    assert.equal((await server.request('/v2/images', { ...json({ name: 'r' }), token: TOKENS.projAReader })).status, 403);
  });
});

describe('update (JSON patch)', () => {
  it('adds, replaces and removes base and custom properties with the v2.1 media type', async () => {
    const image = await create({ name: 'p', disk_format: 'raw', container_format: 'bare' }, TOKENS.projA);
    const res = await server.request(`/v2/images/${image.id}`, {
      ...patch([
        { op: 'replace', path: '/name', value: 'renamed' },
        { op: 'add', path: '/os_version', value: '12' },
        { op: 'add', path: '/tags', value: ['x'] },
        { op: 'replace', path: '/min_ram', value: 512 },
      ]),
      token: TOKENS.projA,
    });
    assert.equal(res.status, 200, await res.clone().text());
    const updated = await res.json() as Record<string, any>;
    assert.equal(updated.name, 'renamed');
    assert.equal(updated.os_version, '12');
    assert.deepEqual(updated.tags, ['x']);
    assert.equal(updated.min_ram, 512);
    const removed = await (await server.request(`/v2/images/${image.id}`, { ...patch([{ op: 'remove', path: '/os_version' }]), token: TOKENS.projA })).json() as Record<string, any>;
    assert.equal('os_version' in removed, false);
  });

  it('speaks the deprecated v2.0 media type, where add on an existing property conflicts', async () => {
    const image = await create({ name: 'v20', foo: 'bar' });
    const type = 'application/openstack-images-v2.0-json-patch';
    assert.equal((await server.request(`/v2/images/${image.id}`, patch([{ replace: '/name', value: 'ok' }], type))).status, 200);
    assert.equal((await server.request(`/v2/images/${image.id}`, patch([{ add: '/foo', value: 'x' }], type))).status, 409);
  });

  it('refuses other media types with 415, read-only and reserved keys with 403, missing properties with 409', async () => {
    const image = await create({ name: 'rules', foo: 'bar' });
    assert.equal((await server.request(`/v2/images/${image.id}`, patch([{ op: 'replace', path: '/name', value: 'x' }], 'application/json'))).status, 415);
    assert.equal((await server.request(`/v2/images/${image.id}`, patch([{ op: 'replace', path: '/status', value: 'active' }]))).status, 403);
    assert.equal((await server.request(`/v2/images/${image.id}`, patch([{ op: 'add', path: '/os_glance_foo', value: 'x' }]))).status, 403);
    assert.equal((await server.request(`/v2/images/${image.id}`, patch([{ op: 'remove', path: '/name' }]))).status, 403);
    assert.equal((await server.request(`/v2/images/${image.id}`, patch([{ op: 'remove', path: '/nope' }]))).status, 409);
    assert.equal((await server.request(`/v2/images/${image.id}`, patch([{ op: 'replace', path: '/nope', value: 'x' }]))).status, 409);
  });

  it('lets other projects neither modify nor delete an image they can see', async () => {
    const image = await create({ name: 'shared-pub', visibility: 'public' });
    assert.equal((await server.request(`/v2/images/${image.id}`, { ...patch([{ op: 'replace', path: '/name', value: 'mine' }]), token: TOKENS.projB })).status, 403);
    assert.equal((await server.request(`/v2/images/${image.id}`, { method: 'DELETE', token: TOKENS.projB })).status, 403);
  });
});

describe('delete, tags, deactivation', () => {
  it('takes an empty JSON body as no body, as Glance does (Tempest sends one on DELETE)', async () => {
    const image = await create({ name: 'empty-body' });
    const emptyJson = { headers: { 'content-type': 'application/json' }, body: '' };
    assert.equal((await server.request(`/v2/images/${image.id}`, { method: 'DELETE', ...emptyJson })).status, 204);
    assert.equal((await server.request('/v2/images', { method: 'POST', ...emptyJson })).status, 400, 'create still needs a document');
  });

  it('refuses to delete a protected image with 403 until unprotected', async () => {
    const image = await create({ name: 'keep', protected: true });
    assert.equal((await server.request(`/v2/images/${image.id}`, { method: 'DELETE' })).status, 403);
    assert.equal((await server.request(`/v2/images/${image.id}`, patch([{ op: 'replace', path: '/protected', value: false }]))).status, 200);
    assert.equal((await server.request(`/v2/images/${image.id}`, { method: 'DELETE' })).status, 204);
    assert.equal((await server.request(`/v2/images/${image.id}`, { method: 'DELETE' })).status, 404);
  });

  it('adds and removes tags idempotently; removing an absent tag is 404', async () => {
    const image = await create({ name: 'tags' });
    assert.equal((await server.request(`/v2/images/${image.id}/tags/blue`, { method: 'PUT' })).status, 204);
    assert.equal((await server.request(`/v2/images/${image.id}/tags/blue`, { method: 'PUT' })).status, 204);
    const shown = await (await server.request(`/v2/images/${image.id}`)).json() as Record<string, any>;
    assert.deepEqual(shown.tags, ['blue']);
    assert.equal((await server.request(`/v2/images/${image.id}/tags/blue`, { method: 'DELETE' })).status, 204);
    assert.equal((await server.request(`/v2/images/${image.id}/tags/blue`, { method: 'DELETE' })).status, 404);
  });

  it('deactivates only active images, for admins and the owner\'s members', async () => {
    const image = await create({ name: 'queued-one' });
    assert.equal((await server.request(`/v2/images/${image.id}/actions/deactivate`, { method: 'POST' })).status, 403, 'queued: nothing to deactivate');
    assert.equal((await server.request(`/v2/images/${image.id}/actions/deactivate`, { method: 'POST', token: TOKENS.projA })).status, 404, 'not visible to project a');
  });
});

describe('schemas', () => {
  it('serves the image, images, member and members schemas', async () => {
    for (const name of ['image', 'images', 'member', 'members']) {
      const res = await server.request(`/v2/schemas/${name}`);
      assert.equal(res.status, 200);
      const schema = await res.json() as { name: string; properties: object };
      assert.equal(schema.name, name);
      assert.ok(schema.properties);
    }
  });
});
