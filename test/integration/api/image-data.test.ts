/**
 * The data plane end to end: streaming upload with hashes, size checks and cap, failure
 * recovery (back to queued, no bytes left), download with ranges, deactivation.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { storedFiles as storedFilesOf } from '../../support/stored-files.js';
import { ADMIN_TOKEN, json, startTestServer, TOKENS, upload, type TestServer } from '../../support/server.js';

let server: TestServer;
before(async () => { server = await startTestServer({ image_size_cap: 8 * 1024 * 1024 }); });
after(async () => { await server?.close(); });

async function newImage(extra: Record<string, unknown> = {}, token?: string): Promise<string> {
  const res = await server.request('/v2/images', { ...json({ name: 'data', disk_format: 'raw', container_format: 'bare', ...extra }), token });
  assert.equal(res.status, 201);
  return ((await res.json()) as { id: string }).id;
}
const show = async (id: string) => (await (await server.request(`/v2/images/${id}`)).json()) as Record<string, any>;

const storedFiles = () => storedFilesOf(server);

describe('upload and download', () => {
  it('stores the bytes, computes md5 and sha512, and serves them back with Content-MD5', async () => {
    const id = await newImage();
    const data = randomBytes(3 * 1024 * 1024 + 17);
    const res = await server.request(`/v2/images/${id}/file`, upload(data, { 'x-openstack-image-size': String(data.length) }));
    assert.equal(res.status, 204, await res.clone().text());
    const image = await show(id);
    assert.equal(image.status, 'active');
    assert.equal(image.size, data.length);
    assert.equal(image.checksum, createHash('md5').update(data).digest('hex'));
    assert.equal(image.os_hash_algo, 'sha512');
    assert.equal(image.os_hash_value, createHash('sha512').update(data).digest('hex'));
    const down = await server.request(`/v2/images/${id}/file`);
    assert.equal(down.status, 200);
    assert.equal(down.headers.get('content-md5'), image.checksum);
    assert.equal(down.headers.get('content-length'), String(data.length));
    assert.ok(Buffer.from(await down.arrayBuffer()).equals(data));
  });

  it('serves single ranges with 206, and 416 when unsatisfiable', async () => {
    const id = await newImage();
    const data = randomBytes(1000);
    assert.equal((await server.request(`/v2/images/${id}/file`, upload(data))).status, 204);
    const mid = await server.request(`/v2/images/${id}/file`, { headers: { range: 'bytes=10-19' } });
    assert.equal(mid.status, 206);
    assert.equal(mid.headers.get('content-range'), 'bytes 10-19/1000');
    assert.ok(Buffer.from(await mid.arrayBuffer()).equals(data.subarray(10, 20)));
    const tail = await server.request(`/v2/images/${id}/file`, { headers: { range: 'bytes=-5' } });
    assert.equal(tail.status, 206);
    assert.ok(Buffer.from(await tail.arrayBuffer()).equals(data.subarray(995)));
    const open = await server.request(`/v2/images/${id}/file`, { headers: { range: 'bytes=990-' } });
    assert.equal(open.headers.get('content-range'), 'bytes 990-999/1000');
    const past = await server.request(`/v2/images/${id}/file`, { headers: { range: 'bytes=1000-1001' } });
    assert.equal(past.status, 416);
    assert.equal(past.headers.get('content-range'), 'bytes */1000');
    assert.equal((await server.request(`/v2/images/${id}/file`, { headers: { range: 'bytes=0-1,5-6' } })).status, 416);
  });

  it('answers 204 for an image without data', async () => {
    const id = await newImage();
    assert.equal((await server.request(`/v2/images/${id}/file`)).status, 204);
  });

  it('activates an empty upload with size 0', async () => {
    const id = await newImage();
    assert.equal((await server.request(`/v2/images/${id}/file`, upload(new Uint8Array(0)))).status, 204);
    const image = await show(id);
    assert.equal(image.status, 'active');
    assert.equal(image.size, 0);
    assert.equal(image.checksum, createHash('md5').digest('hex'));
  });

  it('refuses a second upload with 409, and a non-octet-stream body with 415', async () => {
    const id = await newImage();
    assert.equal((await server.request(`/v2/images/${id}/file`, upload('abc'))).status, 204);
    assert.equal((await server.request(`/v2/images/${id}/file`, upload('def'))).status, 409);
    const other = await newImage();
    assert.equal((await server.request(`/v2/images/${other}/file`, { method: 'PUT', headers: { 'content-type': 'text/plain' }, body: 'x' })).status, 415);
  });

  it('refuses data for an image without disk and container formats with 400', async () => {
    const res = await server.request('/v2/images', json({ name: 'formatless' }));
    const id = ((await res.json()) as { id: string }).id;
    assert.equal((await server.request(`/v2/images/${id}/file`, upload('abc'))).status, 400);
    assert.equal((await show(id)).status, 'queued');
  });

  it('refuses a size that differs from x-openstack-image-size with 400, keeping nothing', async () => {
    const before = await storedFiles();
    const id = await newImage();
    const res = await server.request(`/v2/images/${id}/file`, upload(randomBytes(100), { 'x-openstack-image-size': '101' }));
    assert.equal(res.status, 400);
    assert.equal((await show(id)).status, 'queued');
    assert.deepEqual(await storedFiles(), before);
    assert.equal((await server.request(`/v2/images/${id}/file`, upload(randomBytes(101)))).status, 204, 'the upload can be retried');
  });

  it('refuses uploads over image_size_cap with 413, streamed or declared, keeping nothing', async () => {
    const before = await storedFiles();
    const id = await newImage();
    const big = randomBytes(8 * 1024 * 1024 + 1);
    const streamed = new ReadableStream({ start(c) { c.enqueue(big); c.close(); } });
    assert.equal((await server.request(`/v2/images/${id}/file`, { ...upload(new Uint8Array(0)), body: streamed })).status, 413);
    assert.equal((await show(id)).status, 'queued');
    assert.equal((await server.request(`/v2/images/${id}/file`, upload(big))).status, 413);
    assert.equal((await show(id)).status, 'queued');
    assert.deepEqual(await storedFiles(), before);
  });

  it('lets a client that keeps sending read an early refusal instead of a reset connection', async () => {
    const id = await newImage();
    const chunk = randomBytes(1024 * 1024);
    for (let attempt = 0; attempt < 10; attempt++) {
      let sent = 0;
      const body = new ReadableStream({
        pull(controller) {
          if (sent++ < 64) controller.enqueue(chunk);
          else controller.close();
        },
      });
      const res = await server.request(`/v2/images/${id}/file`, { ...upload(new Uint8Array(0), { 'x-openstack-image-size': String(64 * 1024 * 1024) }), body });
      assert.equal(res.status, 413, `attempt ${attempt}`);
      await res.arrayBuffer();
    }
    assert.equal((await show(id)).status, 'queued');
  });

  it('returns the image to queued and keeps no bytes when the client disconnects mid-upload', async () => {
    const before = await storedFiles();
    const id = await newImage();
    const url = new URL(`${server.url}/v2/images/${id}/file`);
    await new Promise<void>((resolve) => {
      const req = httpRequest({ host: url.hostname, port: url.port, path: url.pathname, method: 'PUT', headers: { 'x-auth-token': ADMIN_TOKEN, 'content-type': 'application/octet-stream', 'content-length': String(4 * 1024 * 1024) } });
      req.on('error', () => resolve());
      req.write(randomBytes(1024 * 1024), () => setTimeout(() => { req.destroy(); resolve(); }, 100));
    });
    let image = await show(id);
    for (let i = 0; i < 50 && image.status !== 'queued'; i++) {
      await new Promise((r) => setTimeout(r, 50));
      image = await show(id);
    }
    assert.equal(image.status, 'queued');
    assert.deepEqual(await storedFiles(), before);
  });

  it('forbids downloading a deactivated image to non-admins, and deletes data with the image', async () => {
    const id = await newImage({ visibility: 'public', owner: 'project-a' });
    assert.equal((await server.request(`/v2/images/${id}/file`, { ...upload('payload'), token: TOKENS.projA })).status, 204);
    assert.equal((await server.request(`/v2/images/${id}/actions/deactivate`, { method: 'POST', token: TOKENS.projB })).status, 403, 'another project sees the public image but may not deactivate it');
    assert.equal((await server.request(`/v2/images/${id}/actions/deactivate`, { method: 'POST', token: TOKENS.projAReader })).status, 403, 'a reader may not');
    assert.equal((await server.request(`/v2/images/${id}/actions/deactivate`, { method: 'POST' })).status, 204);
    assert.equal((await show(id)).status, 'deactivated');
    assert.equal((await server.request(`/v2/images/${id}/file`, { token: TOKENS.projA })).status, 403);
    assert.equal((await server.request(`/v2/images/${id}/file`)).status, 200);
    assert.equal((await server.request(`/v2/images/${id}/actions/reactivate`, { method: 'POST' })).status, 204);
    assert.equal((await server.request(`/v2/images/${id}/file`, { token: TOKENS.projB })).status, 200);
    const filesWith = await storedFiles();
    assert.equal((await server.request(`/v2/images/${id}`, { method: 'DELETE', token: TOKENS.projA })).status, 204);
    const filesAfter = await storedFiles();
    assert.equal(filesAfter.length, filesWith.length - 1, 'the deleted image leaves no bytes');
  });
});
