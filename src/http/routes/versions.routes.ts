/**
 * The version document at / and /versions. Clients (keystoneauth) discover the v2 endpoint
 * from it, so links are absolute and follow the address the client used unless a public URL
 * is configured. Imago claims the minor versions whose features it serves.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';

const CURRENT_MINOR = 7;

export function versionDocument(base: string): { versions: unknown[] } {
  const versions = [];
  for (let minor = CURRENT_MINOR; minor >= 0; minor--) {
    versions.push({
      id: `v2.${minor}`,
      status: minor === CURRENT_MINOR ? 'CURRENT' : 'SUPPORTED',
      links: [{ rel: 'self', href: `${base}/v2/` }],
    });
  }
  return { versions };
}

export function registerVersionRoutes(app: FastifyInstance, publicUrl: string | undefined): void {
  const base = (request: FastifyRequest): string => publicUrl ?? `${request.protocol}://${request.headers.host ?? request.hostname}`;
  app.get('/', async (request, reply) => reply.code(300).send(versionDocument(base(request))));
  app.get('/versions', async (request) => versionDocument(base(request)));
  app.get('/healthcheck', async () => 'OK');
}
