/**
 * Imago's catalog API under /imago/v1: lineage, families and their latest version,
 * deprecation, family retention and required-property rules (docs/catalog.md).
 */
import type { FastifyInstance } from 'fastify';
import type { CatalogService, DeprecationRequest } from '../../services/catalog.service.js';
import { ancestryView, descendantsView, familyView, retentionView, stalenessView, warnDeprecated, noticeOf } from '../catalog-view.js';
import { imageView } from '../image-view.js';
import { principalOf } from '../server.js';

type IdParams = { id: string };
type FamilyParams = { name: string };
type RuleParams = { scope: string; name: string };

export function registerCatalogRoutes(app: FastifyInstance, catalog: CatalogService): void {
  app.get<{ Params: IdParams }>('/imago/v1/images/:id/ancestry', async (request) => (
    ancestryView(await catalog.ancestry(principalOf(request), request.params.id))
  ));

  app.get<{ Params: IdParams }>('/imago/v1/images/:id/descendants', async (request) => (
    descendantsView(request.params.id.toLowerCase(), await catalog.descendants(principalOf(request), request.params.id))
  ));

  app.get<{ Params: IdParams }>('/imago/v1/images/:id/stale', async (request) => stalenessView(await catalog.staleness(principalOf(request), request.params.id)));

  app.put<{ Params: IdParams }>('/imago/v1/images/:id/deprecation', async (request, reply) => {
    const image = await catalog.deprecate(principalOf(request), request.params.id, (request.body ?? {}) as DeprecationRequest);
    if (!image) return reply.code(204).send();
    warnDeprecated(reply, noticeOf(image));
    return imageView(image);
  });

  app.get('/imago/v1/families', async (request) => ({
    families: (await catalog.families(principalOf(request))).map((f) => familyView(f, false)),
  }));

  app.get<{ Params: FamilyParams }>('/imago/v1/families/:name', async (request) => familyView(await catalog.family(principalOf(request), request.params.name), true));

  app.get<{ Params: FamilyParams }>('/imago/v1/families/:name/latest', async (request) => imageView(await catalog.latest(principalOf(request), request.params.name)));

  app.get<{ Params: FamilyParams }>('/imago/v1/families/:name/stale', async (request) => ({
    family: request.params.name,
    stale: (await catalog.familyStale(principalOf(request), request.params.name)).map(stalenessView),
  }));

  app.get<{ Params: FamilyParams }>('/imago/v1/families/:name/retention', async (request) => (
    retentionView(await catalog.retention(principalOf(request), request.params.name))
  ));

  app.put<{ Params: FamilyParams }>('/imago/v1/families/:name/retention', async (request) => {
    const { retention, retired } = await catalog.setRetention(principalOf(request), request.params.name, request.body);
    return { family: retention.family, ...retentionView(retention), retired };
  });

  app.delete<{ Params: FamilyParams }>('/imago/v1/families/:name/retention', async (request, reply) => {
    await catalog.deleteRetention(principalOf(request), request.params.name);
    return reply.code(204).send();
  });

  app.get('/imago/v1/required-properties', async (request) => ({ rules: await catalog.requiredProperties(principalOf(request)) }));

  app.put<{ Params: RuleParams }>('/imago/v1/required-properties/:scope/:name', async (request) => (
    catalog.setRequiredProperties(principalOf(request), request.params.scope, request.params.name, request.body)
  ));

  app.delete<{ Params: RuleParams }>('/imago/v1/required-properties/:scope/:name', async (request, reply) => {
    await catalog.deleteRequiredProperties(principalOf(request), request.params.scope, request.params.name);
    return reply.code(204).send();
  });
}
