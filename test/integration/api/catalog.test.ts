/** The catalog against a real server: kinds, lineage, families, deprecation, retention, required properties, bad input. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { json, patch, startTestServer, TOKENS, upload, type TestServer } from '../../support/server.js';

const PUBLISHER = 'publisher-token-1234';
let server: TestServer;
before(async () => {
  server = await startTestServer({
    tokens: `${TOKENS.projA}:project-a,${TOKENS.projAReader}:project-a:reader,${TOKENS.projB}:project-b,${TOKENS.projBReader}:project-b:reader,${TOKENS.projC}:project-c,${PUBLISHER}:project-p:member+reader+publisher`,
  });
});
after(async () => { await server?.close(); });

type Doc = Record<string, any>;

async function create(body: Doc, token?: string): Promise<Doc> {
  const res = await server.request('/v2/images', { ...json(body), token });
  assert.equal(res.status, 201, await res.clone().text());
  return res.json() as Promise<Doc>;
}

/** A public, active image (admin-made unless a token is given). */
async function active(body: Doc, token?: string): Promise<Doc> {
  const image = await create({ disk_format: 'raw', container_format: 'bare', visibility: 'public', ...body }, token);
  const res = await server.request(`/v2/images/${image.id}/file`, { ...upload('data'), token });
  assert.equal(res.status, 204, await res.clone().text());
  return (await server.request(`/v2/images/${image.id}`)).json() as Promise<Doc>;
}

async function get(path: string, token?: string): Promise<{ status: number; body: Doc; headers: Headers }> {
  const res = await server.request(path, { token });
  return { status: res.status, body: (res.status === 204 ? {} : await res.json()) as Doc, headers: res.headers };
}

const put = (body: unknown): RequestInit => ({ method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

async function expectError(res: Response, status: number, reason?: string): Promise<Doc> {
  const body = await res.json() as Doc;
  assert.equal(res.status, status, JSON.stringify(body));
  if (reason) assert.equal(body.error.reason, reason, JSON.stringify(body));
  return body;
}

const future = (ms: number) => new Date(Date.now() + ms).toISOString();

describe('kinds', () => {
  it('defaults to custom with an upload source, and lists the fields with types in the image schema (without stores)', async () => {
    const image = await create({ name: 'mine' }, TOKENS.projA);
    assert.equal(image.imago_kind, 'custom');
    assert.deepEqual(image.imago_source, { type: 'upload', ref: null });
    assert.deepEqual(image.imago_deprecation, { state: 'active', replacement: null, deprecated: null, obsolete: null, deleted: null });
    const schema = (await get('/v2/schemas/image')).body;
    assert.deepEqual(schema.properties.imago_kind.enum, ['standard', 'capsule', 'custom']);
    assert.equal(schema.properties.imago_deprecation.readOnly, true);
    assert.equal(schema.properties.stores, undefined);
  });

  it('lets only admins and publishers make standard images', async () => {
    await expectError(await server.request('/v2/images', { ...json({ imago_kind: 'standard' }), token: TOKENS.projA }), 403);
    const image = await create({ imago_kind: 'standard' }, PUBLISHER);
    assert.equal(image.imago_kind, 'standard');
    const custom = await create({}, TOKENS.projA);
    await expectError(await server.request(`/v2/images/${custom.id}`, { ...patch([{ op: 'replace', path: '/imago_kind', value: 'standard' }]), token: TOKENS.projA }), 403);
  });

  it('requires a valid manifest on capsules, readable back, and refuses it on other kinds', async () => {
    await expectError(await server.request('/v2/images', { ...json({ imago_kind: 'capsule' }), token: TOKENS.projA }), 400, 'catalog.manifest_missing');
    await expectError(await server.request('/v2/images', { ...json({ imago_kind: 'capsule', imago_manifest: { application: { name: 'wp' } } }), token: TOKENS.projA }), 400, 'catalog.manifest');
    await expectError(await server.request('/v2/images', { ...json({ imago_kind: 'capsule', imago_manifest: { application: { name: 'wp', version: '6' }, config: { ports: [{ port: 70000 }] } } }), token: TOKENS.projA }), 400, 'catalog.manifest');
    await expectError(await server.request('/v2/images', { ...json({ imago_manifest: { application: { name: 'wp', version: '6' } } }), token: TOKENS.projA }), 400, 'catalog.manifest_kind');
    const manifest = {
      application: { name: 'wordpress', version: '6.5' },
      components: [{ name: 'php', version: '8.2' }, { name: 'nginx' }],
      config: { ports: [{ port: 80, protocol: 'tcp' }], environment: { WP_ENV: 'prod' }, user_data: '#cloud-config\n' },
    };
    const capsule = await create({ imago_kind: 'capsule', imago_manifest: manifest }, TOKENS.projA);
    assert.deepEqual((await get(`/v2/images/${capsule.id}`, TOKENS.projA)).body.imago_manifest, manifest);
  });

  it('refuses unknown kinds and sources with 400', async () => {
    await expectError(await server.request('/v2/images', json({ imago_kind: 'golden' })), 400);
    await expectError(await server.request('/v2/images', json({ imago_source: { type: 'teleport' } })), 400, 'catalog.source');
    await expectError(await server.request('/v2/images?imago_kind=golden'), 400, 'list.imago_kind');
  });

  it('records the source of a custom image', async () => {
    const image = await create({ imago_source: { type: 'snapshot', ref: 'server-42' } }, TOKENS.projA);
    assert.deepEqual(image.imago_source, { type: 'snapshot', ref: 'server-42' });
  });
});

describe('disks', () => {
  it('stores several disks, validates them, and filters by boot requirements', async () => {
    const disks = [
      { name: 'root', role: 'boot', size_gb: 10, format: 'qcow2', bus: 'virtio' },
      { name: 'data', role: 'data', size_gb: 100, format: 'raw', bus: 'scsi' },
    ];
    const image = await create({ name: 'two-disks', imago_disks: disks, min_disk: 10, min_ram: 2048, architecture: 'aarch64', hw_firmware_type: 'uefi' }, TOKENS.projA);
    assert.deepEqual(image.imago_disks, disks);
    await expectError(await server.request('/v2/images', { ...json({ imago_disks: [disks[0], disks[0]] }), token: TOKENS.projA }), 400, 'catalog.disks');
    await expectError(await server.request('/v2/images', { ...json({ imago_disks: [disks[0], { ...disks[1], role: 'boot' }] }), token: TOKENS.projA }), 400, 'catalog.disks');
    await expectError(await server.request('/v2/images', { ...json({ imago_disks: [{ ...disks[0], bus: 'floppy' }] }), token: TOKENS.projA }), 400, 'catalog.disks');
    for (const query of ['min_disk=10', 'min_ram=2048', 'architecture=aarch64', 'hw_firmware_type=uefi']) {
      const ids = (await get(`/v2/images?${query}`, TOKENS.projA)).body.images.map((i: Doc) => i.id);
      assert.deepEqual(ids, [image.id], query);
    }
  });
});

describe('lineage', () => {
  it('answers ancestry and descendants, refuses cycles, and guards deletes of bases', async () => {
    const root = await active({ name: 'root', imago_kind: 'standard' });
    const mid = await create({ name: 'mid', imago_base_image_id: root.id }, TOKENS.projA);
    const leaf = await create({ name: 'leaf', imago_base_image_id: mid.id }, TOKENS.projA);
    const ancestry = (await get(`/imago/v1/images/${leaf.id}/ancestry`, TOKENS.projA)).body.ancestry;
    assert.deepEqual(ancestry.map((a: Doc) => a.name), ['leaf', 'mid', 'root']);
    const descendants = (await get(`/imago/v1/images/${root.id}/descendants`, TOKENS.projA)).body.descendants;
    assert.deepEqual(descendants.map((d: Doc) => [d.name, d.depth]), [['mid', 1], ['leaf', 2]]);
    // Project B sees the public root but none of project A's images built on it.
    assert.deepEqual((await get(`/imago/v1/images/${root.id}/descendants`, TOKENS.projB)).body.descendants, []);

    await expectError(await server.request(`/v2/images/${mid.id}`, { ...patch([{ op: 'replace', path: '/imago_base_image_id', value: leaf.id }]), token: TOKENS.projA }), 400, 'catalog.lineage_cycle');
    await expectError(await server.request(`/v2/images/${mid.id}`, { ...patch([{ op: 'replace', path: '/imago_base_image_id', value: mid.id }]), token: TOKENS.projA }), 400, 'catalog.lineage_cycle');

    await expectError(await server.request(`/v2/images/${mid.id}`, { method: 'DELETE', token: TOKENS.projA }), 409, 'catalog.has_descendants');
    await expectError(await server.request(`/v2/images/${mid.id}?force=true`, { method: 'DELETE', token: TOKENS.projA }), 403);
    assert.equal((await server.request(`/v2/images/${mid.id}?force=true`, { method: 'DELETE' })).status, 204);
    const after = (await get(`/imago/v1/images/${leaf.id}/ancestry`, TOKENS.projA)).body.ancestry;
    assert.deepEqual(after.map((a: Doc) => a.name ?? (a.deleted ? 'deleted' : '?')), ['leaf', 'deleted', 'root']);
  });

  it('refuses a base the caller cannot see, or one that does not exist, with 400', async () => {
    const hidden = await create({ name: 'b-private', visibility: 'private' }, TOKENS.projB);
    await expectError(await server.request('/v2/images', { ...json({ imago_base_image_id: hidden.id }), token: TOKENS.projA }), 400, 'catalog.base_not_found');
    await expectError(await server.request('/v2/images', { ...json({ imago_base_image_id: '00000000-0000-4000-8000-00000000dead' }), token: TOKENS.projA }), 400, 'catalog.base_not_found');
    await expectError(await server.request('/v2/images', { ...json({ imago_base_image_id: 'not-a-uuid' }), token: TOKENS.projA }), 400);
    const ancestry = (await get(`/imago/v1/images/${hidden.id}/ancestry`, TOKENS.projA));
    assert.equal(ancestry.status, 404);
  });
});

describe('families', () => {
  it('resolves latest by version, skipping deprecated and hidden versions, and reports stale images', async () => {
    const v1 = await active({ name: 'deb 12.1', imago_kind: 'standard', imago_family: 'debian-12', imago_version: '12.1' });
    const v2 = await active({ name: 'deb 12.9', imago_kind: 'standard', imago_family: 'debian-12', imago_version: '12.9' });
    const app = await create({ name: 'app', imago_base_image_id: v2.id }, TOKENS.projA);
    assert.equal((await get('/imago/v1/families/debian-12/latest', TOKENS.projA)).body.id, v2.id);
    assert.equal((await get(`/imago/v1/images/${app.id}/stale`, TOKENS.projA)).body.stale, false);

    const v3 = await active({ name: 'deb 12.10', imago_kind: 'standard', imago_family: 'debian-12', imago_version: '12.10' });
    assert.equal((await get('/imago/v1/families/debian-12/latest', TOKENS.projA)).body.id, v3.id, '12.10 is newer than 12.9');
    const stale = (await get(`/imago/v1/images/${app.id}/stale`, TOKENS.projA)).body;
    assert.equal(stale.stale, true);
    assert.equal(stale.latest.id, v3.id);
    const familyStale = (await get('/imago/v1/families/debian-12/stale', TOKENS.projA)).body.stale;
    assert.deepEqual(familyStale.map((s: Doc) => s.image.id), [app.id]);

    assert.equal((await server.request(`/v2/images/${v3.id}`, patch([{ op: 'replace', path: '/os_hidden', value: true }]))).status, 200);
    assert.equal((await get('/imago/v1/families/debian-12/latest', TOKENS.projA)).body.id, v2.id);
    assert.equal((await server.request(`/imago/v1/images/${v2.id}/deprecation`, put({ state: 'deprecated', replacement: v1.id }))).status, 200);
    assert.equal((await get('/imago/v1/families/debian-12/latest', TOKENS.projA)).body.id, v1.id);

    const family = (await get('/imago/v1/families/debian-12', TOKENS.projA)).body;
    assert.deepEqual(family.versions.map((v: Doc) => v.imago_version), ['12.10', '12.9', '12.1']);
    assert.equal(family.latest.id, v1.id);
    const families = (await get('/imago/v1/families', TOKENS.projA)).body.families;
    assert.ok(families.some((f: Doc) => f.name === 'debian-12' && f.version_count === 3));
    const listed = (await get('/v2/images?imago_family=debian-12&imago_kind=standard', TOKENS.projA)).body.images;
    assert.equal(listed.length, 2, 'the hidden version is left out of the default list');
    await expectError(await server.request('/imago/v1/families/no-such-family', { token: TOKENS.projA }), 404);
  });

  it('keeps a family to its project: another project cannot add versions to it', async () => {
    await create({ imago_family: 'team-a-app' }, TOKENS.projA);
    await expectError(await server.request('/v2/images', { ...json({ imago_family: 'team-a-app' }), token: TOKENS.projB }), 403, 'catalog.family_owner');
    await expectError(await server.request('/v2/images', { ...json({ imago_family: 'Bad Name' }), token: TOKENS.projB }), 400);
  });
});

describe('deprecation', () => {
  it('warns on reads of a deprecated image, refuses obsolete data to others, and keeps it for its owner', async () => {
    const replacement = await active({ name: 'new' }, undefined);
    const old = await active({ name: 'old' }, undefined);
    const res = await server.request(`/imago/v1/images/${old.id}/deprecation`, put({ state: 'deprecated', replacement: replacement.id }));
    assert.equal(res.status, 200);
    const read = await get(`/v2/images/${old.id}`, TOKENS.projA);
    assert.match(read.headers.get('warning') ?? '', new RegExp(`299 - "Image ${old.id} is deprecated; use ${replacement.id} instead\\."`));
    assert.equal(read.headers.get('x-imago-deprecation'), `deprecated; replacement=${replacement.id}`);
    const download = await server.request(`/v2/images/${old.id}/file`, { token: TOKENS.projA });
    assert.equal(download.status, 200);
    assert.match(download.headers.get('warning') ?? '', /deprecated/);
    await download.arrayBuffer();

    assert.equal((await server.request(`/imago/v1/images/${old.id}/deprecation`, put({ state: 'obsolete', replacement: replacement.id }))).status, 200);
    await expectError(await server.request(`/v2/images/${old.id}/file`, { token: TOKENS.projA }), 403, 'catalog.obsolete');
    const own = await server.request(`/v2/images/${old.id}/file`);
    assert.equal(own.status, 200);
    await own.arrayBuffer();
    await expectError(await server.request('/v2/images', { ...json({ imago_base_image_id: old.id }), token: TOKENS.projA }), 400, 'catalog.base_unusable');
  });

  it('refuses past times, unknown states, bad order, and replacements that are deprecated, invisible or itself', async () => {
    const image = await create({ name: 'x' }, TOKENS.projA);
    const deprecated = await active({ name: 'dep' });
    await server.request(`/imago/v1/images/${deprecated.id}/deprecation`, put({ state: 'deprecated' }));
    const invisible = await active({ name: 'inv', visibility: 'private' }, TOKENS.projB);
    const dep = (body: unknown) => server.request(`/imago/v1/images/${image.id}/deprecation`, { ...put(body), token: TOKENS.projA });
    await expectError(await dep({ state: 'active', deprecated: '2001-01-01T00:00:00Z' }), 400, 'catalog.deprecation_past');
    await expectError(await dep({ state: 'retired' }), 400, 'catalog.deprecation_state');
    await expectError(await dep({ state: 'active', deprecated: 'tomorrow' }), 400, 'catalog.deprecation_time');
    await expectError(await dep({ state: 'active', deprecated: future(120_000), obsolete: future(60_000) }), 400, 'catalog.deprecation_schedule');
    await expectError(await dep({ state: 'obsolete', deprecated: future(60_000) }), 400, 'catalog.deprecation_schedule');
    await expectError(await dep({ replacement: deprecated.id }), 400, 'catalog.replacement_deprecated');
    await expectError(await dep({ replacement: invisible.id }), 400, 'catalog.replacement_not_found');
    await expectError(await dep({ replacement: image.id }), 400, 'catalog.replacement');
    await expectError(await dep({ state: 'deprecated', when: 'now' }), 400, 'catalog.deprecation_body');
    await expectError(await server.request(`/imago/v1/images/${image.id}/deprecation`, { ...put({}), token: TOKENS.projB }), 404);
    await expectError(await server.request(`/imago/v1/images/${image.id}/deprecation`, { ...put({}), token: TOKENS.projAReader }), 403);
    await expectError(await server.request(`/imago/v1/images/${image.id}/deprecation`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '[1]', token: TOKENS.projA }), 400);
  });

  it('schedules a transition that applies by itself when its time comes', async () => {
    const image = await active({ name: 'soon' });
    const at = future(1500);
    const res = await server.request(`/imago/v1/images/${image.id}/deprecation`, put({ state: 'active', deprecated: at }));
    assert.equal(res.status, 200);
    assert.equal((await res.json() as Doc).imago_deprecation.state, 'active');
    await new Promise((resolve) => setTimeout(resolve, 1700));
    // The read applies the due transition whatever the scheduler's period.
    const read = await get(`/v2/images/${image.id}`);
    assert.equal(read.body.imago_deprecation.state, 'deprecated');
    assert.equal(read.body.imago_deprecation.deprecated, at.replace(/\.\d{3}Z$/, 'Z'));
    const listed = (await get('/v2/images?imago_deprecation_state=deprecated&name=soon')).body.images;
    assert.deepEqual(listed.map((i: Doc) => i.id), [image.id]);
  });

  it('deletes at once with state deleted, but never a protected image', async () => {
    const gone = await create({ name: 'gone' }, TOKENS.projA);
    assert.equal((await server.request(`/imago/v1/images/${gone.id}/deprecation`, { ...put({ state: 'deleted' }), token: TOKENS.projA })).status, 204);
    assert.equal((await server.request(`/v2/images/${gone.id}`, { token: TOKENS.projA })).status, 404);
    const kept = await create({ name: 'kept', protected: true }, TOKENS.projA);
    await expectError(await server.request(`/imago/v1/images/${kept.id}/deprecation`, { ...put({ state: 'obsolete', deleted: future(60_000) }), token: TOKENS.projA }), 403, 'image.protected');
  });
});

describe('retention', () => {
  it('keeps the newest N versions and retires the rest, never protected ones or ones with descendants', async () => {
    const versions: Doc[] = [];
    for (const [i, extra] of [[1, {}], [2, { protected: true }], [3, {}], [4, {}], [5, {}]] as const) {
      versions.push(await active({ name: `ret ${i}`, imago_kind: 'standard', imago_family: 'ret-line', imago_version: `1.${i}`, ...extra }));
    }
    await create({ name: 'child of 1.3', imago_base_image_id: versions[2]!.id }, TOKENS.projA);
    await expectError(await server.request('/imago/v1/families/ret-line/retention', { ...put({ keep: 2 }), token: TOKENS.projA }), 403);
    await expectError(await server.request('/imago/v1/families/ret-line/retention', put({ keep: 0 })), 400);
    await expectError(await server.request('/imago/v1/families/ret-line/retention', put({ keep: 2, action: 'burn' })), 400);
    const res = await server.request('/imago/v1/families/ret-line/retention', put({ keep: 2, action: 'deprecate' }));
    const body = await res.json() as Doc;
    assert.equal(res.status, 200, JSON.stringify(body));
    assert.deepEqual(body.retired, [versions[0]!.id]);
    const state = async (image: Doc) => (await get(`/v2/images/${image.id}`)).body.imago_deprecation;
    assert.equal((await state(versions[0]!)).state, 'deprecated');
    assert.equal((await state(versions[0]!)).replacement, versions[4]!.id);
    for (const i of [1, 2, 3, 4]) assert.equal((await state(versions[i]!)).state, 'active', `version ${i + 1}`);
    assert.deepEqual((await get('/imago/v1/families/ret-line/retention', TOKENS.projA)).body, { keep: 2, action: 'deprecate' });
    assert.equal((await get('/imago/v1/families/ret-line', TOKENS.projA)).body.retention.keep, 2);
    assert.equal((await server.request('/imago/v1/families/ret-line/retention', { method: 'DELETE' })).status, 204);
    await expectError(await server.request('/imago/v1/families/ret-line/retention', { method: 'DELETE' }), 404);
  });
});

describe('required properties', () => {
  it('are enforced when an upload would activate the image, on reactivation and when the family is set on an active image', async () => {
    await expectError(await server.request('/imago/v1/required-properties/kind/capsule', { ...put({ properties: ['os_distro'] }), token: TOKENS.projA }), 403);
    await expectError(await server.request('/imago/v1/required-properties/kind/golden', put({ properties: ['os_distro'] })), 400, 'catalog.kind');
    await expectError(await server.request('/imago/v1/required-properties/colour/blue', put({ properties: ['x'] })), 400, 'catalog.scope');
    await expectError(await server.request('/imago/v1/required-properties/family/req-line', put({ properties: [] })), 400);
    assert.equal((await server.request('/imago/v1/required-properties/family/req-line', put({ properties: ['os_version', 'os_distro'] }))).status, 200);
    const rules = (await get('/imago/v1/required-properties', TOKENS.projA)).body.rules;
    assert.deepEqual(rules, [{ scope: 'family', name: 'req-line', properties: ['os_distro', 'os_version'] }]);

    const image = await create({ disk_format: 'raw', container_format: 'bare', imago_family: 'req-line', os_distro: 'debian' }, TOKENS.projA);
    const refused = await expectError(await server.request(`/v2/images/${image.id}/file`, { ...upload('x'), token: TOKENS.projA }), 400, 'catalog.required_properties');
    assert.match(refused.error.message, /os_version/);
    assert.doesNotMatch(refused.error.message, /os_distro,/);
    assert.equal((await server.request(`/v2/images/${image.id}`, { ...patch([{ op: 'add', path: '/os_version', value: '12' }]), token: TOKENS.projA })).status, 200);
    assert.equal((await server.request(`/v2/images/${image.id}/file`, { ...upload('x'), token: TOKENS.projA })).status, 204);

    const plain = await create({ disk_format: 'raw', container_format: 'bare' }, TOKENS.projA);
    assert.equal((await server.request(`/v2/images/${plain.id}/file`, { ...upload('x'), token: TOKENS.projA })).status, 204);
    await expectError(await server.request(`/v2/images/${plain.id}`, { ...patch([{ op: 'replace', path: '/imago_family', value: 'req-line' }]), token: TOKENS.projA }), 400, 'catalog.required_properties');

    assert.equal((await server.request(`/v2/images/${image.id}/actions/deactivate`, { method: 'POST', token: TOKENS.projA })).status, 204);
    assert.equal((await server.request(`/v2/images/${image.id}`, { ...patch([{ op: 'remove', path: '/os_version' }]), token: TOKENS.projA })).status, 200);
    await expectError(await server.request(`/v2/images/${image.id}/actions/reactivate`, { method: 'POST', token: TOKENS.projA }), 400, 'catalog.required_properties');
    assert.equal((await server.request('/imago/v1/required-properties/family/req-line', { method: 'DELETE' })).status, 204);
    assert.equal((await server.request(`/v2/images/${image.id}/actions/reactivate`, { method: 'POST', token: TOKENS.projA })).status, 204);
  });
});

describe('authentication of /imago/v1', () => {
  it('answers 401 without a token', async () => {
    assert.equal((await server.request('/imago/v1/families', { token: null })).status, 401);
  });
});
