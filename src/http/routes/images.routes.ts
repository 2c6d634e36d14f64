/** Image records: /v2/images, one image, tags and the deactivate/reactivate actions. */
import type { FastifyInstance } from 'fastify';
import { BadRequestError } from '../../domain/errors.js';
import type { ImageService } from '../../services/image.service.js';
import { noticeOf, warnDeprecated } from '../catalog-view.js';
import { imageView } from '../image-view.js';
import { parseListQuery, type Query } from '../image-list.params.js';
import { parsePatchBody, patchMediaType } from '../patch-body.js';
import { principalOf } from '../server.js';
import { setWarnings } from '../warning-header.js';

type IdParams = { id: string };
type TagParams = { id: string; tag: string };

export function registerImageRoutes(app: FastifyInstance, images: ImageService): void {
  app.post('/v2/images', async (request, reply) => {
    const body = request.body;
    if (body === null || typeof body !== 'object' || Array.isArray(body)) {
      throw new BadRequestError('Body expected in request: a JSON object describing the image.', { reason: 'image.body' });
    }
    const warnings: string[] = [];
    const image = await images.create(principalOf(request), body as Record<string, unknown>, warnings);
    setWarnings(reply, warnings);
    return reply.code(201).header('location', `/v2/images/${image.id}`).send(imageView(image));
  });

  app.get('/v2/images', async (request) => {
    const query = request.query as Query;
    const page = await images.list(principalOf(request), parseListQuery(query));
    const { marker: _marker, ...rest } = query;
    const result: Record<string, unknown> = {
      images: page.images.map(imageView),
      first: `/v2/images${encodeQuery(rest)}`,
      schema: '/v2/schemas/images',
    };
    if (page.nextMarker) result.next = `/v2/images${encodeQuery({ ...rest, marker: page.nextMarker })}`;
    return result;
  });

  app.get<{ Params: IdParams }>('/v2/images/:id', async (request, reply) => {
    const image = await images.get(principalOf(request), request.params.id);
    warnDeprecated(reply, noticeOf(image));
    return imageView(image);
  });

  app.patch<{ Params: IdParams }>('/v2/images/:id', async (request, reply) => {
    const media = patchMediaType(request.headers['content-type']);
    const operations = parsePatchBody(request.body, media.v21);
    const warnings: string[] = [];
    const image = await images.update(principalOf(request), request.params.id, operations, media, warnings);
    setWarnings(reply, warnings);
    return imageView(image);
  });

  // Imago: ?force=true lets an admin delete an image others derive from.
  app.delete<{ Params: IdParams; Querystring: { force?: string } }>('/v2/images/:id', async (request, reply) => {
    await images.delete(principalOf(request), request.params.id, { force: request.query.force === 'true' });
    return reply.code(204).send();
  });

  app.put<{ Params: TagParams }>('/v2/images/:id/tags/:tag', async (request, reply) => {
    await images.addTag(principalOf(request), request.params.id, request.params.tag);
    return reply.code(204).send();
  });

  app.delete<{ Params: TagParams }>('/v2/images/:id/tags/:tag', async (request, reply) => {
    await images.removeTag(principalOf(request), request.params.id, request.params.tag);
    return reply.code(204).send();
  });

  app.post<{ Params: IdParams }>('/v2/images/:id/actions/deactivate', async (request, reply) => {
    await images.deactivate(principalOf(request), request.params.id);
    return reply.code(204).send();
  });

  app.post<{ Params: IdParams }>('/v2/images/:id/actions/reactivate', async (request, reply) => {
    await images.reactivate(principalOf(request), request.params.id);
    return reply.code(204).send();
  });
}

function encodeQuery(query: Record<string, unknown>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    for (const v of Array.isArray(value) ? value : [value]) if (v !== undefined) params.append(key, String(v));
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}
