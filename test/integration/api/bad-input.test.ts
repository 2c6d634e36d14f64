/**
 * Bad input gets a 4xx with a Glance-style message, never a 500, and changes nothing.
 * Each case is a request a careless or hostile client could send.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { json, patch, startTestServer, type TestServer } from '../../support/server.js';

let server: TestServer;
let imageId: string;
before(async () => {
  server = await startTestServer({ image_tag_quota: 5, image_property_quota: 5 });
  const res = await server.request('/v2/images', json({ name: 'target', disk_format: 'raw', container_format: 'bare' }));
  imageId = ((await res.json()) as { id: string }).id;
});
after(async () => { await server?.close(); });

const long = (n: number) => 'x'.repeat(n);

const createCases: Array<[string, RequestInit, number]> = [
  ['malformed JSON', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"name": ' }, 400],
  ['a JSON array instead of an object', json([1, 2]), 400],
  ['a JSON string', json('image'), 400],
  ['text/plain body', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'name=x' }, 415],
  ['read-only status', json({ status: 'active' }), 403],
  ['read-only size', json({ size: 10 }), 403],
  ['read-only checksum', json({ checksum: 'abc' }), 403],
  ['reserved os_glance_ key', json({ os_glance_importing: 'x' }), 403],
  ['name of the wrong type', json({ name: 42 }), 400],
  ['over-long name', json({ name: long(256) }), 400],
  ['over-long property value', json({ foo: long(70_000) }), 400],
  ['over-long property key', json({ [long(300)]: 'v' }), 400],
  ['non-string property value', json({ foo: { nested: true } }), 400],
  ['unknown disk_format', json({ disk_format: 'floppy' }), 400],
  ['unknown container_format', json({ container_format: 'zip' }), 400],
  ['unknown visibility', json({ visibility: 'everyone' }), 400],
  ['protected as a string', json({ protected: 'yes' }), 400],
  ['negative min_disk', json({ min_disk: -1 }), 400],
  ['fractional min_ram', json({ min_ram: 1.5 }), 400],
  ['huge min_ram', json({ min_ram: 2 ** 40 }), 400],
  ['bad UUID as id', json({ id: 'not-a-uuid' }), 400],
  ['tags not an array', json({ tags: 'a,b' }), 400],
  ['over-long tag', json({ tags: [long(256)] }), 400],
  ['too many tags', json({ tags: ['1', '2', '3', '4', '5', '6'] }), 413],
  ['too many properties', json({ p1: 'a', p2: 'a', p3: 'a', p4: 'a', p5: 'a', p6: 'a' }), 413],
  ['an empty body', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '' }, 400],
];

const listCases: Array<[string, string, number]> = [
  ['negative limit', '?limit=-1', 400],
  ['non-numeric limit', '?limit=ten', 400],
  ['unknown sort key', '?sort_key=color', 400],
  ['bad sort direction', '?sort_key=name&sort_dir=up', 400],
  ['sort mixed with sort_key', '?sort=name:asc&sort_key=name', 400],
  ['bad sort= value', '?sort=name:asc:x', 400],
  ['bad filter operator', '?created_at=bigger:2020-01-01T00:00:00Z', 400],
  ['bad timestamp', '?created_at=gt:yesterday', 400],
  ['bad visibility filter', '?visibility=everyone', 400],
  ['bad member_status filter', '?member_status=maybe', 400],
  ['bad status filter', '?status=sleeping', 400],
  ['bad protected filter', '?protected=yes', 400],
  ['bad size_min', '?size_min=-5', 400],
  ['unknown marker', '?marker=00000000-0000-4000-8000-000000000000', 400],
  ['malformed marker', '?marker=zzz', 400],
  ['empty in: list', '?name=in:', 400],
  ['link field filter', '?self=x', 400],
];

describe('bad input', () => {
  for (const [what, init, status] of createCases) {
    it(`create with ${what} → ${status}`, async () => {
      const res = await server.request('/v2/images', init);
      assert.equal(res.status, status, await res.clone().text());
      const body = await res.json() as { error: { message: string; code: number } };
      assert.equal(body.error.code, status);
      assert.ok(body.error.message.length > 0);
    });
  }

  for (const [what, query, status] of listCases) {
    it(`list with ${what} → ${status}`, async () => {
      const res = await server.request(`/v2/images${query}`);
      assert.equal(res.status, status, await res.clone().text());
      assert.ok(((await res.json()) as { error: { message: string } }).error.message);
    });
  }

  const patchCases: Array<[string, RequestInit, number]> = [
    ['a non-array body', patch({ op: 'add' }), 400],
    ['an unknown op', patch([{ op: 'move', path: '/name', value: 'x' }]), 400],
    ['a missing path', patch([{ op: 'add', value: 'x' }]), 400],
    ['a nested path', patch([{ op: 'add', path: '/name/first', value: 'x' }]), 400],
    ['a path without slash', patch([{ op: 'add', path: 'name', value: 'x' }]), 400],
    ['a missing value', patch([{ op: 'replace', path: '/name' }]), 400],
    ['a wrong value type', patch([{ op: 'replace', path: '/min_disk', value: 'big' }]), 400],
    ['malformed JSON', { method: 'PATCH', headers: { 'content-type': 'application/openstack-images-v2.1-json-patch' }, body: '[{' }, 400],
    ['application/json', patch([{ op: 'replace', path: '/name', value: 'x' }], 'application/json'), 415],
    ['the id', patch([{ op: 'replace', path: '/id', value: '0a0a0a0a-0000-4000-8000-000000000000' }]), 403],
    ['a __proto__ path', patch([{ op: 'add', path: '/__proto__', value: { polluted: 'yes' } }]), 400],
  ];
  for (const [what, init, status] of patchCases) {
    it(`patch with ${what} → ${status}`, async () => {
      const res = await server.request(`/v2/images/${imageId}`, init);
      assert.equal(res.status, status, await res.clone().text());
    });
  }

  it('leaves the image untouched after all of that', async () => {
    const image = await (await server.request(`/v2/images/${imageId}`)).json() as Record<string, unknown>;
    assert.equal(image.name, 'target');
    assert.equal(image.min_disk, 0);
    const all = await (await server.request('/v2/images')).json() as { images: unknown[] };
    assert.equal(all.images.length, 1, 'no bad create left an image behind');
  });

  it('answers unknown paths and bad image ids with 404, not 500', async () => {
    assert.equal((await server.request('/v2/nothing')).status, 404);
    assert.equal((await server.request('/v2/images/not-a-uuid')).status, 404);
    assert.equal((await server.request('/v2/images/not-a-uuid/file')).status, 404);
  });
});
