/**
 * Quotas: Glance's GET /v2/info/usage for the caller's project, and Imago's admin extension
 * /v2/quotas/{project_id} to read any project's limits and override or reset them.
 */
import type { FastifyInstance } from 'fastify';
import type { ProjectQuotas, QuotaService } from '../../services/quota.service.js';
import { principalOf } from '../server.js';

type ProjectParams = { projectId: string };
type QuotaParams = { projectId: string; name: string };

const view = (project: ProjectQuotas) => ({ project_id: project.projectId, quotas: project.quotas });

export function registerQuotaRoutes(app: FastifyInstance, quotas: QuotaService): void {
  app.get('/v2/info/usage', async (request) => ({ usage: await quotas.usage(principalOf(request)) }));

  app.get<{ Params: ProjectParams }>('/v2/quotas/:projectId', async (request) => view(await quotas.show(principalOf(request), request.params.projectId)));

  app.put<{ Params: ProjectParams }>('/v2/quotas/:projectId', async (request) => (
    view(await quotas.set(principalOf(request), request.params.projectId, request.body))
  ));

  app.delete<{ Params: QuotaParams }>('/v2/quotas/:projectId/:name', async (request, reply) => {
    await quotas.unset(principalOf(request), request.params.projectId, request.params.name);
    return reply.code(204).send();
  });
}
