/**
 * The client against a small local HTTP server that records what it receives and answers
 * like Glance, so headers, streaming bodies and links are checked on a real socket.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { after, before, describe, it } from 'node:test';
import { ApiError, ConnectionError } from './api-error.js';
import { ImageClient } from './image-client.js';

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: Buffer;
}

type Handler = (req: Seen, res: ServerResponse) => void;

let server: Server;
let base: string;
let handler: Handler;
const seen: Seen[] = [];

before(async () => {
  server = createServer(async (req, res) => {
    // A client that gives up mid-body (the failing-source test) aborts the request: nothing to answer.
    const body = await buffer(req).catch(() => undefined);
    if (body === undefined) return;
    const entry: Seen = { method: req.method!, url: req.url!, headers: req.headers, body };
    seen.push(entry);
    handler(entry, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
after(() => new Promise<void>((resolve) => server.close(() => resolve())));

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

const client = (prefix = '') => new ImageClient({ baseUrl: `${base}${prefix}`, token: 'secret-token' });

describe('ImageClient requests', () => {
  it('sends the token and JSON for create, and the Glance patch media type for update', async () => {
    seen.length = 0;
    handler = (req, res) => json(res, req.method === 'POST' ? 201 : 200, { id: 'i1', name: 'deb' });
    await client().createImage({ name: 'deb', disk_format: 'raw', os_distro: 'debian' });
    await client().updateImage('i1', [{ op: 'add', path: '/os_version', value: '12' }]);
    const [create, update] = seen;
    assert.equal(create!.method, 'POST');
    assert.equal(create!.url, '/v2/images');
    assert.equal(create!.headers['x-auth-token'], 'secret-token');
    assert.equal(create!.headers['content-type'], 'application/json');
    assert.deepEqual(JSON.parse(create!.body.toString()), { name: 'deb', disk_format: 'raw', os_distro: 'debian' });
    assert.equal(update!.method, 'PATCH');
    assert.equal(update!.headers['content-type'], 'application/openstack-images-v2.1-json-patch');
    assert.deepEqual(JSON.parse(update!.body.toString()), [{ op: 'add', path: '/os_version', value: '12' }]);
  });

  it('uses the documented paths for tags, actions and delete, escaping ids and tags', async () => {
    seen.length = 0;
    handler = (_req, res) => res.writeHead(204).end();
    const c = client();
    await c.addTag('i1', 'a b/c');
    await c.removeTag('i1', 'x');
    await c.deactivate('i1');
    await c.reactivate('i1');
    await c.deleteImage('i1');
    assert.deepEqual(seen.map((s) => `${s.method} ${s.url}`), [
      'PUT /v2/images/i1/tags/a%20b%2Fc', 'DELETE /v2/images/i1/tags/x', 'POST /v2/images/i1/actions/deactivate',
      'POST /v2/images/i1/actions/reactivate', 'DELETE /v2/images/i1',
    ]);
  });

  it('shares images through the members paths, with JSON bodies', async () => {
    seen.length = 0;
    handler = (req, res) => (req.method === 'DELETE' ? res.writeHead(204).end() : json(res, 200, { member_id: 'p 1', status: 'pending' }));
    const c = client();
    assert.equal((await c.addMember('i1', 'p 1')).member_id, 'p 1');
    await c.listMembers('i1');
    await c.getMember('i1', 'p 1');
    await c.updateMember('i1', 'p 1', 'accepted');
    await c.removeMember('i1', 'p 1');
    assert.deepEqual(seen.map((s) => `${s.method} ${s.url}`), [
      'POST /v2/images/i1/members', 'GET /v2/images/i1/members', 'GET /v2/images/i1/members/p%201',
      'PUT /v2/images/i1/members/p%201', 'DELETE /v2/images/i1/members/p%201',
    ]);
    assert.deepEqual(JSON.parse(seen[0]!.body.toString()), { member: 'p 1' });
    assert.deepEqual(JSON.parse(seen[3]!.body.toString()), { status: 'accepted' });
    assert.equal(seen[3]!.headers['content-type'], 'application/json');
  });

  it('follows next links under a path prefix until the last page', async () => {
    seen.length = 0;
    handler = (req, res) => {
      const marker = new URL(req.url, 'http://x').searchParams.get('marker');
      if (marker === null) json(res, 200, { images: [{ id: 'a' }, { id: 'b' }], first: '/v2/images?limit=2', next: '/v2/images?limit=2&tag=t&marker=b', schema: '' });
      else json(res, 200, { images: [{ id: 'c' }], first: '/v2/images?limit=2', schema: '' });
    };
    const ids: string[] = [];
    for await (const image of client('/image/v2/').allImages({ limit: 2, tag: ['t'] })) ids.push(image.id);
    assert.deepEqual(ids, ['a', 'b', 'c']);
    assert.deepEqual(seen.map((s) => s.url), ['/image/v2/images?limit=2&tag=t', '/image/v2/images?limit=2&tag=t&marker=b']);
  });

  it('throws ApiError with the server\'s message, status and body', async () => {
    const body = { error: { code: 404, title: 'Not Found', message: 'No image found with ID nope.', reason: 'image.not_found' } };
    handler = (_req, res) => json(res, 404, body);
    await assert.rejects(client().getImage('nope'), (err: unknown) => {
      assert.ok(err instanceof ApiError);
      assert.equal(err.status, 404);
      assert.equal(err.message, 'No image found with ID nope.');
      assert.equal(err.reason, 'image.not_found');
      assert.deepEqual(JSON.parse(err.body), body);
      assert.equal(err.url, `${base}/v2/images/nope`);
      return true;
    });
  });

  it('uses an injected fetch', async () => {
    const calls: string[] = [];
    const fake: typeof fetch = async (input) => {
      calls.push(String(input));
      return new Response(JSON.stringify({ id: 'z' }), { status: 200 });
    };
    const image = await new ImageClient({ baseUrl: 'http://imago.example/v2', fetch: fake }).getImage('z');
    assert.equal(image.id, 'z');
    assert.deepEqual(calls, ['http://imago.example/v2/images/z']);
  });
});

describe('ImageClient data', () => {
  it('streams an upload with its declared size and reports progress', async () => {
    seen.length = 0;
    handler = (_req, res) => res.writeHead(204).end();
    const data = randomBytes(3 * 1024 * 1024 + 7);
    const progress: number[] = [];
    const source = Readable.from((function* () { for (let i = 0; i < data.length; i += 65536) yield data.subarray(i, i + 65536); })());
    await client().uploadImageData('i1', source, { size: data.length, onProgress: (done, total) => { progress.push(done); assert.equal(total, data.length); } });
    const [put] = seen;
    assert.equal(put!.method, 'PUT');
    assert.equal(put!.url, '/v2/images/i1/file');
    assert.equal(put!.headers['content-type'], 'application/octet-stream');
    assert.equal(put!.headers['x-openstack-image-size'], String(data.length));
    assert.equal(put!.headers['transfer-encoding'], 'chunked');
    assert.ok(put!.body.equals(data));
    assert.equal(progress[0], 0);
    assert.equal(progress.at(-1), data.length);
  });

  it('throws the source\'s own error when reading it fails', async () => {
    handler = (_req, res) => res.writeHead(204).end();
    const failing = (async function* () {
      yield Buffer.from('some bytes');
      throw new Error('disk read error');
    })();
    await assert.rejects(client().uploadImageData('i1', failing), /disk read error/);
  });

  it('downloads a range as a stream with its headers', async () => {
    seen.length = 0;
    const data = randomBytes(1000);
    handler = (_req, res) => res.writeHead(206, { 'content-range': 'bytes 100-199/1000', 'content-length': '100' }).end(data.subarray(100, 200));
    const download = await client().downloadImageData('i1', { range: { start: 100, end: 199 } });
    assert.equal(download.status, 206);
    assert.deepEqual(download.contentRange, { start: 100, end: 199, size: 1000 });
    assert.ok((await buffer(download.stream)).equals(data.subarray(100, 200)));
    assert.equal(seen[0]!.headers.range, 'bytes=100-199');
  });

  it('downloads a whole image with Content-MD5, a format and progress', async () => {
    seen.length = 0;
    const data = randomBytes(200_000);
    const md5 = createHash('md5').update(data).digest('hex');
    handler = (_req, res) => res.writeHead(200, { 'content-md5': md5, 'content-length': String(data.length) }).end(data);
    let last = -1;
    const download = await client().downloadImageData('i1', { format: 'vmdk', onProgress: (done) => { last = done; } });
    assert.equal(download.contentMd5, md5);
    assert.equal(download.contentLength, data.length);
    assert.ok((await buffer(download.stream)).equals(data));
    assert.equal(last, data.length);
    assert.equal(seen[0]!.url, '/v2/images/i1/file?format=vmdk');
    assert.equal(seen[0]!.headers.range, undefined);
  });

  it('sends suffix ranges and treats 204 as an empty image', async () => {
    seen.length = 0;
    handler = (_req, res) => res.writeHead(204).end();
    const download = await client().downloadImageData('i1', { range: { suffix: 512 } });
    assert.equal(download.status, 204);
    assert.equal(download.contentLength, 0);
    assert.equal((await buffer(download.stream)).length, 0);
    assert.equal(seen[0]!.headers.range, 'bytes=-512');
  });
});

describe('ImageClient connection', () => {
  it('names the URL when the server cannot be reached', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as { port: number }).port;
    await new Promise((resolve) => closed.close(resolve));
    await assert.rejects(new ImageClient({ baseUrl: `http://127.0.0.1:${port}` }).getImage('x'), (err: unknown) => {
      assert.ok(err instanceof ConnectionError);
      assert.equal(err.message, `GET http://127.0.0.1:${port}/v2/images/x failed: connection refused (ECONNREFUSED)`);
      return true;
    });
  });
});
