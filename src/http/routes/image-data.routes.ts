/** PUT and GET /v2/images/{id}/file: streaming upload and download. */
import type { IncomingMessage } from 'node:http';
import { PassThrough, type Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { BadRequestError, RangeNotSatisfiableError, UnsupportedMediaTypeError } from '../../domain/errors.js';
import type { ImageDataService } from '../../services/image-data.service.js';
import { warnDeprecated } from '../catalog-view.js';
import { parseConversionQuery } from '../conversion-query.js';
import { parseRangeHeader } from '../range-header.js';
import { principalOf } from '../server.js';

type IdParams = { id: string };

/**
 * After refusing an upload before reading it (413, 409 …), keep reading and discarding the
 * body for a while so the client, still sending, gets to read the answer instead of a reset
 * connection; then hang up, so a client that goes on sending terabytes cannot hold the socket.
 */
const DRAIN_MAX_BYTES = 64 * 1024 * 1024;
const DRAIN_MAX_MS = 5_000;

/**
 * The request body behind a proxy: when the service refuses an upload and its pipeline
 * destroys the stream it was given, only the proxy dies and the socket stays open for the
 * answer. A client that disconnects still ends the proxy with an error.
 *
 * The proxy keeps the default small buffer: every chunk it holds is a socket buffer kept
 * alive longer, and with four concurrent uploads a 1 MiB buffer here kept enough of them
 * past two young-generation collections to raise peak RSS by 25 MB, for no throughput.
 */
function bodyOf(request: IncomingMessage): Readable {
  const proxy = new PassThrough();
  request.once('error', (err) => proxy.destroy(err));
  request.once('close', () => {
    if (!request.readableEnded) proxy.destroy(new Error('the client disconnected during the upload'));
  });
  request.pipe(proxy);
  return proxy;
}

function drainThenClose(request: IncomingMessage): void {
  let drained = 0;
  const hangUp = () => { request.socket.destroy(); };
  const timer = setTimeout(hangUp, DRAIN_MAX_MS);
  timer.unref();
  request.unpipe();
  request.on('data', (chunk: Buffer) => {
    drained += chunk.length;
    if (drained > DRAIN_MAX_BYTES) { clearTimeout(timer); hangUp(); }
  });
  request.once('end', () => clearTimeout(timer));
  request.once('close', () => clearTimeout(timer));
  request.resume();
}

function sizeHeader(value: string | string[] | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const text = Array.isArray(value) ? value[0] ?? '' : value;
  if (!/^\d+$/.test(text.trim())) throw new BadRequestError(`${name} must be a non-negative integer.`, { reason: 'upload.size_header' });
  return Number(text.trim());
}

export function registerImageDataRoutes(app: FastifyInstance, data: ImageDataService): void {
  app.put<{ Params: IdParams }>('/v2/images/:id/file', async (request, reply) => {
    const type = (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (type !== 'application/octet-stream') {
      throw new UnsupportedMediaTypeError(`Unsupported Content-Type ${type || '(none)'}: image data must be sent as application/octet-stream.`, { reason: 'upload.media_type' });
    }
    const declaredSize = sizeHeader(request.headers['x-openstack-image-size'], 'x-openstack-image-size');
    const contentLength = sizeHeader(request.headers['content-length'], 'Content-Length');
    try {
      await data.upload(principalOf(request), request.params.id, bodyOf(request.raw), { declaredSize, contentLength });
    } catch (err) {
      if (request.raw.destroyed || request.raw.errored) {
        request.log.warn({ image: request.params.id }, 'client went away during upload (499); image returned to queued');
      } else if (!request.raw.readableEnded) {
        reply.header('connection', 'close');
        drainThenClose(request.raw);
      }
      throw err;
    }
    return reply.code(204).send();
  });

  app.get<{ Params: IdParams; Querystring: Record<string, string | string[] | undefined> }>('/v2/images/:id/file', async (request, reply) => {
    let download;
    try {
      const conversion = parseConversionQuery(request.query);
      download = await data.download(principalOf(request), request.params.id, conversion ? undefined : parseRangeHeader(request.headers.range), conversion);
    } catch (err) {
      if (err instanceof RangeNotSatisfiableError && err.size >= 0) reply.header('content-range', `bytes */${err.size}`);
      throw err;
    }
    warnDeprecated(reply, download.deprecation);
    if (download.kind === 'empty') return reply.code(204).send();
    if (download.kind === 'converted') {
      reply.header('content-type', 'application/octet-stream').header('x-imago-disk-format', download.format);
      if (download.length !== undefined) reply.header('content-length', download.length);
      return reply.send(download.stream);
    }
    reply.header('content-type', 'application/octet-stream');
    if (download.range) {
      const { start, end } = download.range;
      reply.code(206).header('content-range', `bytes ${start}-${end}/${download.size}`).header('content-length', end - start + 1);
    } else {
      reply.header('content-length', download.size);
      if (download.checksum) reply.header('content-md5', download.checksum);
    }
    return reply.send(download.stream);
  });
}
