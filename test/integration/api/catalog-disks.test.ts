/** GET /v2/images filtered by the disks images describe (imago_disk_*), end to end. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { json, patch, startTestServer, TOKENS, type TestServer } from '../../support/server.js';

type Doc = Record<string, any>;

let server: TestServer;
const ids: Record<string, string> = {};

const disk = (name: string, role: string, bus: string, format = 'qcow2') => ({ name, role, size_gb: 10, format, bus });

async function list(query: string, token: string = TOKENS.projA): Promise<{ status: number; body: Doc }> {
  const res = await server.request(`/v2/images?${query}`, { token });
  return { status: res.status, body: await res.json() as Doc };
}

/** Names listed for the query, among this file's images (newest first). */
async function names(query: string): Promise<string[]> {
  const { status, body } = await list(query);
  assert.equal(status, 200, JSON.stringify(body));
  return body.images.map((i: Doc) => i.name);
}

before(async () => {
  server = await startTestServer();
  const specs = [
    { name: 'plain' },
    { name: 'single', imago_disks: [disk('root', 'boot', 'virtio')] },
    { name: 'pair', imago_disks: [disk('root', 'boot', 'virtio'), disk('data', 'data', 'scsi', 'raw')] },
    { name: 'seeded', imago_disks: [disk('root', 'boot', 'nvme', 'raw'), disk('seed', 'config', 'ide', 'iso')] },
  ];
  for (const spec of specs) {
    const res = await server.request('/v2/images', { ...json(spec), token: TOKENS.projA });
    assert.equal(res.status, 201, await res.clone().text());
    ids[spec.name] = ((await res.json()) as Doc).id;
    await new Promise((r) => setTimeout(r, 5)); // distinct created_at values
  }
});
after(async () => { await server?.close(); });

describe('disk filters', () => {
  it('lists images with a disk of the role, bus or format, as an equality or an in: list', async () => {
    assert.deepEqual(await names('imago_disk_role=boot'), ['seeded', 'pair', 'single']);
    assert.deepEqual(await names('imago_disk_role=in:data,config'), ['seeded', 'pair']);
    assert.deepEqual(await names('imago_disk_bus=virtio'), ['pair', 'single']);
    assert.deepEqual(await names('imago_disk_format=iso'), ['seeded']);
    assert.deepEqual(await names('imago_disk_format=vmdk'), []);
  });

  it('matches the disk filters of one query against one and the same disk', async () => {
    assert.deepEqual(await names('imago_disk_role=boot&imago_disk_format=raw'), ['seeded']);
    assert.deepEqual(await names('imago_disk_role=boot&imago_disk_bus=scsi'), []);
    assert.deepEqual(await names('imago_disk_role=data&imago_disk_bus=scsi&imago_disk_format=raw'), ['pair']);
  });

  it('lists images with exactly that many disks', async () => {
    assert.deepEqual(await names('imago_disk_count=0'), ['plain']);
    assert.deepEqual(await names('imago_disk_count=2'), ['seeded', 'pair']);
    assert.deepEqual(await names('imago_disk_count=2&imago_disk_bus=ide'), ['seeded']);
  });

  it('follows a PATCH of imago_disks, including one that clears them', async () => {
    const res = await server.request('/v2/images', { ...json({ name: 'patched', imago_disks: [disk('root', 'boot', 'virtio')] }), token: TOKENS.projA });
    const { id } = await res.json() as Doc;
    const change = async (value: unknown[]) => {
      const r = await server.request(`/v2/images/${id}`, { ...patch([{ op: 'replace', path: '/imago_disks', value }]), token: TOKENS.projA });
      assert.equal(r.status, 200, await r.clone().text());
    };
    await change([disk('root', 'boot', 'sata', 'vmdk')]);
    assert.deepEqual(await names('imago_disk_format=vmdk'), ['patched']);
    assert.deepEqual(await names('imago_disk_bus=virtio&imago_disk_count=1'), ['single']);
    await change([]);
    assert.deepEqual(await names('imago_disk_format=vmdk'), []);
    assert.deepEqual(await names('imago_disk_count=0'), ['patched', 'plain']);
    const deleted = await server.request(`/v2/images/${id}`, { method: 'DELETE', token: TOKENS.projA });
    assert.equal(deleted.status, 204);
    assert.deepEqual(await names('imago_disk_count=0'), ['plain']);
  });

  it('keeps the visibility rules: other projects do not see private images through disk filters', async () => {
    const { body } = await list('imago_disk_role=boot', TOKENS.projB);
    assert.deepEqual(body.images, []);
  });

  it('answers 400 to unknown roles, buses and formats, and to counts that are not non-negative integers', async () => {
    for (const [query, reason] of [
      ['imago_disk_role=scratch', 'list.imago_disk_role'],
      ['imago_disk_role=in:boot,scratch', 'list.imago_disk_role'],
      ['imago_disk_bus=floppy', 'list.imago_disk_bus'],
      ['imago_disk_format=qcow3', 'list.imago_disk_format'],
      ['imago_disk_role=in:', 'list.in'],
      ['imago_disk_count=-1', 'list.imago_disk_count'],
      ['imago_disk_count=two', 'list.imago_disk_count'],
      ['imago_disk_count=1&imago_disk_count=2', 'list.repeated'],
    ] as const) {
      const { status, body } = await list(query);
      assert.equal(status, 400, query);
      assert.equal(body.error.reason, reason, query);
    }
  });
});
