/** GET /v2/images: Glance's filters, sorting and marker pagination, end to end. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { json, startTestServer, TOKENS, type TestServer } from '../../support/server.js';

let server: TestServer;
const ids: Record<string, string> = {};

async function list(query: string, token?: string): Promise<{ status: number; body: any }> {
  const res = await server.request(`/v2/images${query}`, { token });
  return { status: res.status, body: await res.json() };
}
const names = (body: any): string[] => body.images.map((i: any) => i.name);

before(async () => {
  server = await startTestServer();
  const specs = [
    { name: 'alpha', disk_format: 'qcow2', container_format: 'bare', tags: ['os', 'linux'], os_distro: 'debian', min_disk: 2 },
    { name: 'beta', disk_format: 'raw', container_format: 'bare', tags: ['os'], os_distro: 'ubuntu' },
    { name: 'gamma', disk_format: 'vmdk', container_format: 'ovf', tags: ['linux'], visibility: 'private' },
    { name: 'delta, with comma', disk_format: 'qcow2', container_format: 'bare', protected: true },
    { name: 'hidden', disk_format: 'qcow2', container_format: 'bare', os_hidden: true },
  ];
  for (const spec of specs) {
    const res = await server.request('/v2/images', { ...json(spec), token: TOKENS.projA });
    assert.equal(res.status, 201);
    ids[spec.name] = ((await res.json()) as { id: string }).id;
    await new Promise((r) => setTimeout(r, 5)); // distinct created_at values
  }
  const pub = await server.request('/v2/images', json({ name: 'public-one', visibility: 'public', disk_format: 'iso', container_format: 'bare' }));
  ids['public-one'] = ((await pub.json()) as { id: string }).id;
});
after(async () => { await server?.close(); });

describe('list', () => {
  it('lists newest first by default, without hidden images, with first and schema links', async () => {
    const { status, body } = await list('', TOKENS.projA);
    assert.equal(status, 200);
    assert.deepEqual(names(body), ['public-one', 'delta, with comma', 'gamma', 'beta', 'alpha']);
    assert.equal(body.schema, '/v2/schemas/images');
    assert.equal(body.first, '/v2/images');
    assert.equal(body.next, undefined);
  });

  it('shows other projects only public images', async () => {
    assert.deepEqual(names((await list('', TOKENS.projB)).body), ['public-one']);
  });

  it('filters by name, status, formats, in: lists (quoted commas), owner, protected', async () => {
    assert.deepEqual(names((await list('?name=beta', TOKENS.projA)).body), ['beta']);
    assert.deepEqual(names((await list('?disk_format=in:raw,vmdk&sort=name:asc', TOKENS.projA)).body), ['beta', 'gamma']);
    assert.deepEqual(names((await list('?name=in:alpha,"delta, with comma"&sort=name:asc', TOKENS.projA)).body), ['alpha', 'delta, with comma']);
    assert.deepEqual(names((await list('?container_format=ovf', TOKENS.projA)).body), ['gamma']);
    assert.deepEqual(names((await list('?protected=true', TOKENS.projA)).body), ['delta, with comma']);
    assert.equal((await list('?status=queued&owner=project-a', TOKENS.projA)).body.images.length, 4);
    assert.deepEqual(names((await list('?status=in:active,killed', TOKENS.projA)).body), []);
  });

  it('filters by repeated tags (AND) and by custom properties', async () => {
    assert.deepEqual(names((await list('?tag=os&tag=linux', TOKENS.projA)).body), ['alpha']);
    assert.deepEqual(names((await list('?tag=linux&sort=name:asc', TOKENS.projA)).body), ['alpha', 'gamma']);
    assert.deepEqual(names((await list('?os_distro=ubuntu', TOKENS.projA)).body), ['beta']);
  });

  it('shows hidden images only when asked, and filters visibility', async () => {
    assert.deepEqual(names((await list('?os_hidden=true', TOKENS.projA)).body), ['hidden']);
    assert.deepEqual(names((await list('?os_hidden=True', TOKENS.projA)).body), ['hidden'], 'the openstack CLI capitalises');
    assert.deepEqual(names((await list('?visibility=private', TOKENS.projA)).body), ['gamma']);
    assert.deepEqual(names((await list('?visibility=public', TOKENS.projA)).body), ['public-one']);
  });

  it('filters by time with comparison operators', async () => {
    const alpha = await (await server.request(`/v2/images/${ids.alpha}`)).json() as { created_at: string };
    const later = new Date(Date.parse(alpha.created_at) + 1000).toISOString();
    assert.ok((await list(`?created_at=lt:${later}`, TOKENS.projA)).body.images.some((i: any) => i.name === 'alpha'));
    assert.deepEqual(names((await list('?created_at=gt:2999-01-01T00:00:00Z', TOKENS.projA)).body), []);
    assert.equal((await list('?updated_at=lte:2999-01-01T00:00:00Z', TOKENS.projA)).body.images.length, 5);
  });

  it('sorts by several keys and directions, with sort= or sort_key/sort_dir', async () => {
    assert.deepEqual(names((await list('?sort=disk_format:asc,name:desc', TOKENS.projA)).body), ['public-one', 'delta, with comma', 'alpha', 'beta', 'gamma']);
    assert.deepEqual(names((await list('?sort_key=name&sort_dir=asc', TOKENS.projA)).body), ['alpha', 'beta', 'delta, with comma', 'gamma', 'public-one']);
  });

  it('pages with limit and marker, and next keeps the query', async () => {
    const seen: string[] = [];
    let path: string | undefined = '/v2/images?limit=2&sort_key=name&sort_dir=asc';
    while (path) {
      const res = await server.request(path, { token: TOKENS.projA });
      const body = await res.json() as any;
      seen.push(...names(body));
      if (body.next) assert.match(body.next, /sort_key=name/);
      path = body.next;
    }
    assert.deepEqual(seen, ['alpha', 'beta', 'delta, with comma', 'gamma', 'public-one']);
  });
});
