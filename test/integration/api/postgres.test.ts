/**
 * The API on the PostgreSQL catalog: the scale deployment runs the same code as the embedded
 * one, so the central flows are exercised again on PostgreSQL end to end.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { requireAvailable } from '../../support/require-tool.js';
import { createTestDatabase, postgresAvailable } from '../../support/databases.js';
import { json, patch, startTestServer, TOKENS, upload, type TestServer } from '../../support/server.js';

let database: { url: string; drop(): Promise<void> } | undefined;
let server: TestServer | undefined;
let available = false;

before(async () => {
  available = await postgresAvailable();
  if (!available) return;
  database = await createTestDatabase('postgres');
  server = await startTestServer({ database_url: database.url });
});
after(async () => {
  await server?.close();
  await database?.drop();
});

describe('on PostgreSQL', () => {
  it('creates, filters, pages, patches, uploads, downloads and deletes', async (t) => {
    if (!requireAvailable(t, available, 'PostgreSQL on 127.0.0.1:5432')) return;
    const s = server!;
    const ids: string[] = [];
    for (let i = 0; i < 7; i++) {
      const res = await s.request('/v2/images', { ...json({ name: `pg-${i}`, disk_format: 'raw', container_format: 'bare', tags: i % 2 ? ['odd'] : ['even'], os_distro: i < 3 ? 'debian' : 'fedora' }), token: TOKENS.projA });
      assert.equal(res.status, 201);
      ids.push(((await res.json()) as { id: string }).id);
    }
    assert.equal((await s.request('/v2/images', json({ id: ids[0], name: 'dup' }))).status, 409);

    const names = async (q: string) => ((await (await s.request(`/v2/images${q}`, { token: TOKENS.projA })).json()) as { images: Array<{ name: string }> }).images.map((i) => i.name);
    assert.deepEqual(await names('?tag=odd&sort=name:asc'), ['pg-1', 'pg-3', 'pg-5']);
    assert.deepEqual(await names('?os_distro=debian&sort=name:desc'), ['pg-2', 'pg-1', 'pg-0']);
    assert.deepEqual(await names('?name=in:pg-4,pg-6&sort=name:asc'), ['pg-4', 'pg-6']);

    const seen: string[] = [];
    let path: string | undefined = '/v2/images?limit=3&sort=name:asc';
    while (path) {
      const body = await (await s.request(path, { token: TOKENS.projA })).json() as { images: Array<{ name: string }>; next?: string };
      seen.push(...body.images.map((i) => i.name));
      path = body.next;
    }
    assert.deepEqual(seen, ['pg-0', 'pg-1', 'pg-2', 'pg-3', 'pg-4', 'pg-5', 'pg-6']);

    const patched = await s.request(`/v2/images/${ids[0]}`, { ...patch([{ op: 'add', path: '/os_version', value: '12' }, { op: 'remove', path: '/os_distro' }]), token: TOKENS.projA });
    assert.equal(patched.status, 200);
    const doc = await patched.json() as Record<string, unknown>;
    assert.equal(doc.os_version, '12');
    assert.equal('os_distro' in doc, false);

    const data = randomBytes(100_000);
    assert.equal((await s.request(`/v2/images/${ids[0]}/file`, { ...upload(data), token: TOKENS.projA })).status, 204);
    const shown = await (await s.request(`/v2/images/${ids[0]}`, { token: TOKENS.projA })).json() as { size: number; checksum: string; status: string };
    assert.deepEqual([shown.status, shown.size, shown.checksum], ['active', data.length, createHash('md5').update(data).digest('hex')]);
    const down = Buffer.from(await (await s.request(`/v2/images/${ids[0]}/file`, { token: TOKENS.projA })).arrayBuffer());
    assert.ok(down.equals(data));
    assert.deepEqual(await names('?size_min=1'), ['pg-0']);

    assert.equal((await s.request(`/v2/images/${ids[0]}`, { method: 'DELETE', token: TOKENS.projA })).status, 204);
    assert.equal((await s.request(`/v2/images/${ids[0]}`, { token: TOKENS.projA })).status, 404);
  });
});
