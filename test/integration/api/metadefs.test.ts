/** The metadata definitions API against a real server: Glance's metadefs routes, policy, shipped namespaces. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { json, startTestServer, TOKENS, type TestServer } from '../../support/server.js';

let server: TestServer;
before(async () => { server = await startTestServer(); });
after(async () => { await server?.close(); });

type Doc = Record<string, any>;
const NS = '/v2/metadefs/namespaces';

const put = (body: unknown): RequestInit => ({ ...json(body), method: 'PUT' });
const del: RequestInit = { method: 'DELETE' };

async function call(path: string, init: RequestInit & { token?: string | null } = {}, status = 200): Promise<Doc> {
  const res = await server.request(path, init);
  const text = await res.text();
  assert.equal(res.status, status, `${init.method ?? 'GET'} ${path}: ${text}`);
  return text ? JSON.parse(text) as Doc : {};
}

let counter = 0;
async function createNamespace(fields: Doc = {}, token?: string): Promise<Doc> {
  counter += 1;
  return call(NS, { ...json({ namespace: `test-ns-${counter}`, visibility: 'public', ...fields }), token }, 201);
}

describe('schemas', () => {
  it('serves every metadefs schema under its Glance name', async () => {
    const names: Record<string, string> = {
      namespace: 'namespace', namespaces: 'namespaces', object: 'object', objects: 'objects', property: 'property',
      properties: 'properties', tag: 'tag', tags: 'tags', resource_type: 'resource_type_association', resource_types: 'resource_type_associations',
    };
    for (const [path, name] of Object.entries(names)) {
      assert.equal((await call(`/v2/schemas/metadefs/${path}`)).name, name, path);
    }
    const namespace = await call('/v2/schemas/metadefs/namespace');
    assert.deepEqual(namespace.properties.imago_validation.enum, ['strict', 'warn', 'off']);
  });
});

describe('shipped namespaces', () => {
  it('are loaded on first start, public and protected, with their resource types', async () => {
    const { namespaces } = await call(`${NS}?limit=100`, { token: TOKENS.projA });
    const names = namespaces.map((n: Doc) => n.namespace);
    for (const name of ['OS::Compute::LibvirtImage', 'OS::Compute::Libvirt', 'OS::OperatingSystem', 'OS::Compute::VirtCPUTopology', 'OS::Glance::CommonImageProperties']) {
      assert.ok(names.includes(name), name);
    }
    const libvirt = namespaces.find((n: Doc) => n.namespace === 'OS::Compute::Libvirt');
    assert.equal(libvirt.visibility, 'public');
    assert.equal(libvirt.protected, true);
    assert.equal(libvirt.imago_validation, 'warn');
    assert.deepEqual(libvirt.resource_type_associations.map((a: Doc) => [a.name, a.prefix]), [['OS::Glance::Image', 'hw_']]);
    const types = (await call('/v2/metadefs/resource_types', { token: TOKENS.projA })).resource_types.map((t: Doc) => t.name);
    assert.ok(types.includes('OS::Glance::Image') && types.includes('OS::Nova::Flavor'));
  });

  it('show properties with the prefix of a resource type when asked', async () => {
    const plain = await call(`${NS}/OS::Compute::VirtCPUTopology`);
    assert.ok(plain.properties.cpu_sockets);
    const forFlavor = await call(`${NS}/OS::Compute::VirtCPUTopology?resource_type=OS::Nova::Flavor`);
    assert.deepEqual(forFlavor.properties['hw:cpu_sockets'], plain.properties.cpu_sockets);
    const prop = await call(`${NS}/OS::Compute::VirtCPUTopology/properties/hw_cpu_cores?resource_type=OS::Glance::Image`);
    assert.equal(prop.name, 'cpu_cores');
    await call(`${NS}/OS::Compute::VirtCPUTopology/properties/cpu_cores?resource_type=OS::Nova::Flavor`, {}, 404);
  });
});

describe('namespaces', () => {
  it('creates with contents and shows them inline, as Glance does', async () => {
    const res = await server.request(NS, json({
      namespace: 'test-full', display_name: 'Full', description: 'everything', visibility: 'public',
      resource_type_associations: [{ name: 'OS::Glance::Image', prefix: 'full_' }],
      properties: { speed: { title: 'Speed', type: 'integer', minimum: 1 } },
      objects: [{ name: 'box', properties: { size: { title: 'Size', type: 'string' } }, required: ['size'] }],
      tags: [{ name: 'red' }],
    }));
    assert.equal(res.status, 201);
    assert.equal(res.headers.get('location'), `${NS}/test-full`);
    const created = await res.json() as Doc;
    assert.equal(created.owner, 'admin');
    assert.equal(created.imago_validation, 'warn');
    assert.equal(created.self, `${NS}/test-full`);
    assert.equal(created.schema, '/v2/schemas/metadefs/namespace');
    const shown = await call(`${NS}/test-full`);
    assert.equal(shown.display_name, 'Full');
    assert.deepEqual(shown.properties, { speed: { title: 'Speed', type: 'integer', minimum: 1 } });
    assert.equal(shown.objects[0].name, 'box');
    assert.equal(shown.objects[0].self, `${NS}/test-full/objects/box`);
    assert.deepEqual(shown.tags, [{ name: 'red' }]);
    assert.equal(shown.resource_type_associations[0].prefix, 'full_');
    assert.match(shown.created_at, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
  });

  it('refuses duplicates with 409 and bad documents with 400 (403 for read-only fields)', async () => {
    const ns = await createNamespace();
    await call(NS, json({ namespace: ns.namespace }), 409);
    await call(NS, json({ visibility: 'public' }), 400);
    await call(NS, json({ namespace: 'x', visibility: 'shared' }), 400);
    await call(NS, json({ namespace: 'x', surprise: 1 }), 400);
    await call(NS, json({ namespace: 'x', properties: { p: { type: 'string' } } }), 400);
    await call(NS, json({ namespace: 'x', properties: { p: { title: 'P', type: 'string', pattern: '(' } } }), 400);
    await call(NS, json({ namespace: 'a/b' }), 400);
    await call(NS, json({ namespace: 'x', tags: [{ name: 't' }, { name: 't' }] }), 409);
    await call(NS, json({ namespace: 'x', created_at: 'now' }), 403);
    await call(NS, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '[1]' }, 400);
    await call(`${NS}/x`, {}, 404);
  });

  it('lets only admins create, change and delete namespaces by default', async () => {
    await call(NS, { ...json({ namespace: 'by-member' }), token: TOKENS.projA }, 403);
    const ns = await createNamespace();
    await call(`${NS}/${ns.namespace}`, { token: TOKENS.projA });
    await call(`${NS}/${ns.namespace}`, { ...put({ namespace: ns.namespace, visibility: 'public' }), token: TOKENS.projA }, 403);
    await call(`${NS}/${ns.namespace}`, { ...del, token: TOKENS.projA }, 403);
    await call(`${NS}/${ns.namespace}/objects`, { ...json({ name: 'o' }), token: TOKENS.projA }, 403);
  });

  it('hides private namespaces of other projects with 404, in lists too', async () => {
    const ns = await createNamespace({ visibility: 'private', owner: 'project-b' });
    await call(`${NS}/${ns.namespace}`, { token: TOKENS.projA }, 404);
    await call(`${NS}/${ns.namespace}/properties`, { token: TOKENS.projA }, 404);
    await call(`${NS}/${ns.namespace}`, { ...del, token: TOKENS.projA }, 404);
    assert.equal((await call(`${NS}/${ns.namespace}`, { token: TOKENS.projB })).namespace, ns.namespace, 'the owner sees it');
    const listA = (await call(`${NS}?limit=1000`, { token: TOKENS.projA })).namespaces.map((n: Doc) => n.namespace);
    const listB = (await call(`${NS}?limit=1000`, { token: TOKENS.projB })).namespaces.map((n: Doc) => n.namespace);
    assert.ok(!listA.includes(ns.namespace));
    assert.ok(listB.includes(ns.namespace));
  });

  it('replaces fields with PUT (renaming too) and keeps owner and validation mode unless given', async () => {
    const ns = await createNamespace({ owner: 'project-b', imago_validation: 'strict', description: 'old' });
    const updated = await call(`${NS}/${ns.namespace}`, put({ namespace: `${ns.namespace}-renamed`, display_name: 'Renamed' }));
    assert.equal(updated.namespace, `${ns.namespace}-renamed`);
    assert.equal(updated.visibility, 'private', 'left out: back to the default, as in Glance');
    assert.equal(updated.description, undefined);
    assert.equal(updated.owner, 'project-b');
    assert.equal(updated.imago_validation, 'strict');
    await call(`${NS}/${ns.namespace}`, {}, 404);
    const other = await createNamespace();
    await call(`${NS}/${other.namespace}`, put({ namespace: `${ns.namespace}-renamed` }), 409);
    await call(`${NS}/${other.namespace}`, put({ namespace: other.namespace, protected: 'yes' }), 400);
  });

  it('refuses to delete a protected namespace or anything in it (403) until it is unprotected', async () => {
    const ns = await createNamespace({ protected: true, tags: [{ name: 't' }], properties: { p: { title: 'P', type: 'string' } }, resource_type_associations: [{ name: 'OS::Nova::Flavor' }] });
    const path = `${NS}/${ns.namespace}`;
    await call(path, del, 403);
    await call(`${path}/tags`, del, 403);
    await call(`${path}/tags/t`, del, 403);
    await call(`${path}/properties/p`, del, 403);
    await call(`${path}/properties`, del, 403);
    await call(`${path}/objects`, del, 403);
    await call(`${path}/resource_types/OS::Nova::Flavor`, del, 403);
    await call(path, put({ namespace: ns.namespace, visibility: 'public', protected: false }));
    await call(path, del, 204);
    await call(path, {}, 404);
  });

  it('lists with filters, sorting and pages linked by next', async () => {
    const type = 'Test::Paging';
    const made = [];
    for (let i = 0; i < 3; i++) made.push((await createNamespace({ resource_type_associations: [{ name: type }] })).namespace);
    await createNamespace({ visibility: 'private', resource_type_associations: [{ name: type }] });
    const page1 = await call(`${NS}?resource_types=${type}&visibility=public&limit=2&sort_dir=asc`);
    assert.deepEqual(page1.namespaces.map((n: Doc) => n.namespace), made.slice(0, 2));
    assert.equal(page1.schema, '/v2/schemas/metadefs/namespaces');
    assert.ok(page1.next.includes('marker='));
    const page2 = await call(page1.next);
    assert.deepEqual(page2.namespaces.map((n: Doc) => n.namespace), made.slice(2));
    const byName = await call(`${NS}?resource_types=${type},Other::Type&sort_key=namespace&sort_dir=desc`);
    assert.equal(byName.namespaces.length, 4);
    assert.deepEqual(byName.namespaces.map((n: Doc) => n.namespace), [...byName.namespaces.map((n: Doc) => n.namespace)].sort().reverse());
    await call(`${NS}?sort_dir=sideways`, {}, 400);
    await call(`${NS}?limit=-1`, {}, 400);
    await call(`${NS}?visibility=shared`, {}, 400);
    await call(`${NS}?sort_key=owner`, {}, 400);
    await call(`${NS}?marker=no-such-namespace`, {}, 404);
  });
});

describe('objects', () => {
  it('creates, lists, shows, renames, deletes one and deletes all', async () => {
    const ns = await createNamespace();
    const base = `${NS}/${ns.namespace}/objects`;
    const created = await call(base, json({ name: 'cpu', description: 'CPU things', required: ['model'], properties: { model: { title: 'Model', type: 'string' } } }), 201);
    assert.equal(created.self, `${base}/cpu`);
    assert.equal(created.schema, '/v2/schemas/metadefs/object');
    await call(base, json({ name: 'cpu' }), 409);
    await call(base, json({ description: 'no name' }), 400);
    await call(base, json({ name: 'mem' }), 201);
    const listed = await call(base, { token: TOKENS.projA });
    assert.deepEqual(listed.objects.map((o: Doc) => o.name), ['cpu', 'mem']);
    assert.equal(listed.schema, '/v2/schemas/metadefs/objects');
    assert.equal((await call(`${base}/cpu`)).properties.model.title, 'Model');
    const renamed = await call(`${base}/cpu`, put({ name: 'processor', properties: {} }));
    assert.equal(renamed.name, 'processor');
    assert.equal(renamed.description, undefined);
    await call(`${base}/processor`, put({ name: 'mem' }), 409);
    await call(`${base}/cpu`, {}, 404);
    await call(`${base}/processor`, del, 204);
    await call(`${base}/processor`, del, 404);
    await call(base, del, 204);
    assert.deepEqual((await call(base)).objects, []);
  });
});

describe('properties', () => {
  it('creates, lists, shows, renames and deletes property definitions', async () => {
    const ns = await createNamespace();
    const base = `${NS}/${ns.namespace}/properties`;
    const created = await call(base, json({ name: 'bus', title: 'Bus', type: 'string', enum: ['a', 'b'] }), 201);
    assert.deepEqual(created, { name: 'bus', title: 'Bus', type: 'string', enum: ['a', 'b'] });
    await call(base, json({ name: 'bus', title: 'Bus', type: 'string' }), 409);
    await call(base, json({ name: 'nameless-type', title: 'X' }), 400);
    await call(base, json({ name: 'bad', title: 'X', type: 'colour' }), 400);
    assert.deepEqual((await call(base, { token: TOKENS.projA })).properties, { bus: { title: 'Bus', type: 'string', enum: ['a', 'b'] } });
    assert.equal((await call(`${base}/bus`)).title, 'Bus');
    const updated = await call(`${base}/bus`, put({ name: 'bus2', title: 'Bus 2', type: 'string' }));
    assert.deepEqual(updated, { name: 'bus2', title: 'Bus 2', type: 'string' });
    await call(`${base}/bus`, {}, 404);
    await call(`${base}/bus2`, del, 204);
    await call(base, json({ name: 'x', title: 'X', type: 'integer' }), 201);
    await call(base, del, 204);
    assert.deepEqual((await call(base)).properties, {});
  });
});

describe('tags', () => {
  it('creates one, replaces all, appends with X-Openstack-Append, renames, pages and deletes', async () => {
    const ns = await createNamespace();
    const base = `${NS}/${ns.namespace}/tags`;
    const one = await call(`${base}/solo`, { method: 'POST', headers: { 'content-type': 'application/json' } }, 201);
    assert.equal(one.name, 'solo');
    assert.ok(one.created_at);
    await call(`${base}/solo`, { method: 'POST' }, 409);
    const bulk = await call(base, json({ tags: [{ name: 'a' }, { name: 'b' }] }), 201);
    assert.deepEqual(bulk, { tags: [{ name: 'a' }, { name: 'b' }] });
    assert.deepEqual((await call(`${base}?sort_key=name&sort_dir=asc`)).tags, [{ name: 'a' }, { name: 'b' }], 'replaced solo');
    await call(base, { ...json({ tags: [{ name: 'c' }] }), headers: { 'content-type': 'application/json', 'x-openstack-append': 'True' } }, 201);
    await call(base, { ...json({ tags: [{ name: 'c' }] }), headers: { 'content-type': 'application/json', 'x-openstack-append': 'true' } }, 409);
    await call(base, json({ tags: [{ name: 'd' }, { name: 'd' }] }), 409);
    await call(base, json({ tags: 'd' }), 400);
    assert.deepEqual((await call(`${base}?sort_key=name&sort_dir=asc`, { token: TOKENS.projA })).tags.map((t: Doc) => t.name), ['a', 'b', 'c']);
    assert.deepEqual((await call(`${base}?sort_key=name&sort_dir=asc&marker=a&limit=1`)).tags, [{ name: 'b' }]);
    assert.equal((await call(`${base}/c`, put({ name: 'z' }))).name, 'z');
    await call(`${base}/z`, put({ name: 'a' }), 409);
    assert.equal((await call(`${base}/z`)).name, 'z');
    await call(`${base}/c`, {}, 404);
    await call(`${base}/z`, del, 204);
    await call(`${base}/z`, del, 404);
    await call(base, del, 204);
    assert.deepEqual((await call(base)).tags, []);
  });
});

describe('resource type associations', () => {
  it('associates (creating new resource types), lists and dissociates', async () => {
    const ns = await createNamespace();
    const base = `${NS}/${ns.namespace}/resource_types`;
    const created = await call(base, json({ name: 'Test::New::Type', prefix: 'new_', properties_target: 'image' }), 201);
    assert.equal(created.name, 'Test::New::Type');
    assert.equal(created.prefix, 'new_');
    assert.equal(created.properties_target, 'image');
    await call(base, json({ name: 'Test::New::Type' }), 409);
    await call(base, json({ prefix: 'x' }), 400);
    assert.deepEqual((await call(base, { token: TOKENS.projA })).resource_type_associations.map((a: Doc) => a.name), ['Test::New::Type']);
    assert.ok((await call('/v2/metadefs/resource_types')).resource_types.some((t: Doc) => t.name === 'Test::New::Type'));
    await call(base, { ...json({ name: 'OS::Nova::Flavor' }), token: TOKENS.projA }, 403);
    await call(`${base}/Test::New::Type`, del, 204);
    await call(`${base}/Test::New::Type`, del, 404);
  });
});

describe('image property validation', () => {
  async function setMode(namespace: string, mode: string): Promise<void> {
    const current = await call(`${NS}/${namespace}`);
    await call(`${NS}/${namespace}`, put({ namespace, display_name: current.display_name, description: current.description, visibility: 'public', protected: true, imago_validation: mode }));
  }

  async function createImage(body: Doc, token: string = TOKENS.projA): Promise<Response> {
    return server.request('/v2/images', { ...json(body), token });
  }

  const patchProps = (id: string, props: Doc) => server.request(`/v2/images/${id}`, {
    method: 'PATCH',
    headers: { 'content-type': 'application/openstack-images-v2.1-json-patch' },
    body: JSON.stringify(Object.entries(props).map(([k, v]) => ({ op: 'add', path: `/${k}`, value: v }))),
    token: TOKENS.projA,
  });

  it('warns (and accepts) by default, with a Warning header naming property, namespace and rule', async () => {
    const good = await createImage({ name: 'ok', hw_disk_bus: 'virtio', hw_firmware_type: 'uefi', architecture: 'aarch64', hw_cpu_sockets: '2' });
    assert.equal(good.status, 201);
    assert.equal(good.headers.get('warning'), null);
    const bad = await createImage({ name: 'odd', hw_disk_bus: 'floppy', hw_firmware_type: 'coreboot' });
    assert.equal(bad.status, 201);
    const warning = bad.headers.get('warning') ?? '';
    assert.match(warning, /^299 - "image property hw_disk_bus='floppy' does not match its definition in namespace OS::Compute::LibvirtImage: it must be one of virtio/);
    assert.match(warning, /hw_firmware_type='coreboot'.*namespace OS::Compute::Libvirt: it must be one of uefi, bios/);
    const image = await bad.json() as Doc;
    assert.equal(image.hw_disk_bus, 'floppy');
    const patched = await patchProps(image.id, { hw_cpu_sockets: 'two' });
    assert.equal(patched.status, 200);
    assert.match(patched.headers.get('warning') ?? '', /hw_cpu_sockets='two'.*OS::Compute::VirtCPUTopology: it must be an integer/);
  });

  it('refuses values a strict namespace does not allow with 400, on create and on PATCH', async () => {
    const legacy = await (await createImage({ name: 'legacy', hw_disk_bus: 'floppy' })).json() as Doc;
    await setMode('OS::Compute::LibvirtImage', 'strict');
    try {
      const refused = await createImage({ name: 'strict', hw_disk_bus: 'floppy' });
      assert.equal(refused.status, 400);
      const body = await refused.json() as Doc;
      assert.match(body.error.message, /hw_disk_bus='floppy'.*namespace OS::Compute::LibvirtImage: it must be one of virtio/);
      assert.equal(body.error.reason, 'image.property_definition');
      assert.equal((await createImage({ name: 'fine', hw_disk_bus: 'scsi' })).status, 201);
      assert.equal((await patchProps(legacy.id, { hw_vif_model: 'token-ring' })).status, 400);
      const unrelated = await patchProps(legacy.id, { os_distro: 'debian' });
      assert.equal(unrelated.status, 200, 'values the image already had are not re-judged');
    } finally {
      await setMode('OS::Compute::LibvirtImage', 'warn');
    }
  });

  it('does not check namespaces that are off, nor private namespaces of other projects', async () => {
    await setMode('OS::Compute::Libvirt', 'off');
    try {
      const res = await createImage({ name: 'off', hw_firmware_type: 'coreboot' });
      assert.equal(res.status, 201);
      assert.equal(res.headers.get('warning'), null);
    } finally {
      await setMode('OS::Compute::Libvirt', 'warn');
    }
    await createNamespace({
      visibility: 'private', owner: 'project-b', imago_validation: 'strict',
      resource_type_associations: [{ name: 'OS::Glance::Image', prefix: 'site_' }],
      properties: { tier: { title: 'Tier', type: 'string', enum: ['gold', 'silver'] } },
    });
    assert.equal((await createImage({ name: 'a', site_tier: 'bronze' }, TOKENS.projA)).status, 201, 'project-b\'s rules do not apply to project-a');
    assert.equal((await createImage({ name: 'b', site_tier: 'bronze' }, TOKENS.projB)).status, 400);
    assert.equal((await createImage({ name: 'c', site_tier: 'gold' }, TOKENS.projB)).status, 201);
  });
});

describe('Tempest-equivalent flows', () => {
  it('namespaces: create protected with an association, list, show, refuse delete, unprotect, delete', async () => {
    const resource = (await call('/v2/metadefs/resource_types')).resource_types[0].name;
    const body = await call(NS, json({ namespace: 'tempest-ns', visibility: 'public', description: 'Tempest', display_name: 'tempest-ns', resource_type_associations: [{ name: resource }], protected: true }), 201);
    assert.equal(body.namespace, 'tempest-ns');
    assert.ok((await call(NS)).namespaces.some((n: Doc) => n.namespace === 'tempest-ns'), 'newest first, within the default page');
    assert.equal((await call(`${NS}/tempest-ns`)).visibility, 'public');
    await call(`${NS}/tempest-ns`, del, 403);
    const updated = await call(`${NS}/tempest-ns`, put({ namespace: 'tempest-ns', description: 'Tempest', visibility: 'private', display_name: 'tempest-ns', protected: false }));
    assert.equal(updated.visibility, 'private');
    assert.equal(updated.protected, false);
    await call(`${NS}/tempest-ns`, del, 204);
    await call(`${NS}/tempest-ns`, {}, 404);
  });

  it('properties: a property named after the resource type, in a namespace associated with it', async () => {
    const resource = (await call('/v2/metadefs/resource_types')).resource_types[0].name;
    const ns = await createNamespace({ description: 'Tempest', protected: false, display_name: 'x' });
    await call(`${NS}/${ns.namespace}/resource_types`, json({ name: resource }), 201);
    const enumValues = ['xen', 'qemu', 'kvm', 'lxc', 'uml', 'vmware', 'hyperv'];
    assert.equal((await call(`${NS}/${ns.namespace}/properties`, json({ title: 'p1', name: resource, type: 'string', enum: enumValues }), 201)).title, 'p1');
    assert.equal((await call(`${NS}/${ns.namespace}/properties/${resource}`)).name, resource);
    assert.equal((await call(`${NS}/${ns.namespace}/properties/${resource}`, put({ title: 'p2', type: 'string', enum: enumValues, name: resource }))).title, 'p2');
    await call(`${NS}/${ns.namespace}/properties/${resource}`, del, 204);
    await call(`${NS}/${ns.namespace}`, del, 204);
  });
});
