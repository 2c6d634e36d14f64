/**
 * The transport ceiling: a bare Node HTTP server with no framework, hashing or catalog.
 * GET /file streams the file named by BARE_FILE; PUT /upload writes the body to BARE_UPLOAD
 * and fdatasyncs it before answering 204, the same durability an Imago upload gives.
 * /json?bytes=N answers any method with N bytes of JSON (201 to a POST, after parsing its
 * body): the floor for the catalog's request rate and latency.
 * Prints `{"ready":true,"url":…}` once listening; stops on SIGTERM or when stdin closes.
 * Only node: imports, so run.ts runs it transpiled, without a loader.
 */
import { createReadStream, createWriteStream, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pipeline } from 'node:stream/promises';

const file = process.env.BARE_FILE ?? '';
const uploadPath = process.env.BARE_UPLOAD ?? '';

const documents = new Map<number, string>();
function jsonOf(bytes: number): string {
  let doc = documents.get(bytes);
  if (doc === undefined) {
    doc = JSON.stringify({ pad: 'x'.repeat(Math.max(0, bytes - 10)) });
    documents.set(bytes, doc);
  }
  return doc;
}

const server = createServer((req, res) => {
  if (req.url?.startsWith('/json')) {
    const bytes = Number(new URL(req.url, 'http://x').searchParams.get('bytes') ?? 100);
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (chunks.length > 0) JSON.parse(Buffer.concat(chunks).toString());
      const body = jsonOf(bytes);
      res.writeHead(req.method === 'POST' ? 201 : 200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    });
    return;
  }
  if (req.method === 'GET' && req.url === '/file') {
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': statSync(file).size });
    pipeline(createReadStream(file, { highWaterMark: 256 * 1024 }), res).catch(() => res.destroy());
    return;
  }
  if (req.method === 'PUT' && req.url === '/upload') {
    const out = createWriteStream(uploadPath, { highWaterMark: 1024 * 1024 });
    pipeline(req, out)
      .then(async () => {
        const handle = await open(uploadPath, 'r+');
        try {
          await handle.datasync();
        } finally {
          await handle.close();
        }
        res.writeHead(204).end();
      })
      .catch((err: Error) => res.writeHead(500).end(err.message));
    return;
  }
  res.writeHead(404).end();
});
server.keepAliveTimeout = 65_000;

server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  process.stdout.write(`${JSON.stringify({ ready: true, url: `http://127.0.0.1:${port}`, pid: process.pid })}\n`);
});
const stop = () => server.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.stdin.on('end', stop);
process.stdin.resume();
