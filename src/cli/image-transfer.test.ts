/**
 * Download verification through the whole command, against a stand-in server that can lie:
 * a wrong Content-MD5 or a short body must fail loudly and leave no file behind.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { createServer, type Server, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import type { CliIo } from './cli-io.js';
import { main } from './main.js';

const ID = '11111111-2222-3333-4444-555555555555';
const data = randomBytes(100_000);
const goodMd5 = createHash('md5').update(data).digest('hex');

let server: Server;
let url: string;
let work: string;
let answerFile: (res: ServerResponse) => void;

before(async () => {
  work = await mkdtemp(join(tmpdir(), 'imago-transfer-'));
  server = createServer((req, res) => {
    if (req.url === `/v2/images/${ID}`) {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ id: ID, name: 'disk', status: 'active', checksum: goodMd5 }));
    } else if (req.url === `/v2/images/${ID}/file`) {
      answerFile(res);
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
after(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await rm(work, { recursive: true, force: true });
});

async function download(output: string): Promise<{ code: number; stderr: string }> {
  let stderr = '';
  const err = new PassThrough();
  err.on('data', (c: Buffer) => { stderr += c.toString(); });
  const io: CliIo = { stdout: new PassThrough(), stderr: err, env: { IMAGO_URL: url }, waitForShutdown: () => new Promise(() => undefined) };
  const code = await main(['image', 'download', ID, '-o', output], io);
  return { code, stderr };
}

describe('image download verification', () => {
  it('keeps a file whose MD5 matches', async () => {
    answerFile = (res) => res.writeHead(200, { 'content-md5': goodMd5, 'content-length': String(data.length) }).end(data);
    const out = join(work, 'good.raw');
    assert.deepEqual(await download(out), { code: 0, stderr: '' });
    assert.ok((await readFile(out)).equals(data));
  });

  it('fails on a checksum mismatch and removes the partial file', async () => {
    const wrong = createHash('md5').update('something else').digest('hex');
    answerFile = (res) => res.writeHead(200, { 'content-md5': wrong, 'content-length': String(data.length) }).end(data);
    const out = join(work, 'bad.raw');
    const { code, stderr } = await download(out);
    assert.equal(code, 1);
    assert.equal(stderr, `imago: checksum mismatch for image ${ID}: received MD5 ${goodMd5}, expected ${wrong}; ${out} was not written\n`);
    assert.deepEqual((await readdir(work)).filter((f) => f !== 'good.raw'), []);
  });

  it('falls back to the image\'s checksum when the server sends no Content-MD5', async () => {
    const corrupt = Buffer.from(data);
    corrupt[10] = corrupt[10]! ^ 0xff;
    answerFile = (res) => res.writeHead(200, { 'content-length': String(corrupt.length) }).end(corrupt);
    const { code, stderr } = await download(join(work, 'corrupt.raw'));
    assert.equal(code, 1);
    assert.match(stderr, /checksum mismatch/);
  });

  it('fails when the connection drops before the end', async () => {
    answerFile = (res) => {
      res.writeHead(200, { 'content-md5': goodMd5, 'content-length': String(data.length) });
      res.write(data.subarray(0, 1000), () => res.destroy());
    };
    const { code, stderr } = await download(join(work, 'short.raw'));
    assert.equal(code, 1);
    assert.match(stderr, /^imago: download from http:\/\/127\.0\.0\.1:\d+\/v2\/images\/.+\/file was interrupted/);
    assert.deepEqual((await readdir(work)).filter((f) => f !== 'good.raw'), []);
  });
});
