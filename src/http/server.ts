/**
 * Builds the Fastify application (without listening): body parsers, authentication, routes
 * and the single error handler. Every dependency comes in through HttpDeps from app.ts.
 */
import Fastify, { LogController, type FastifyError, type FastifyInstance, type FastifyRequest } from 'fastify';
import { ImagoError, UnauthorizedError } from '../domain/errors.js';
import type { Principal } from '../domain/principal.js';
import type { CatalogService } from '../services/catalog.service.js';
import type { ImageDataService } from '../services/image-data.service.js';
import type { ImageService } from '../services/image.service.js';
import type { MemberService } from '../services/member.service.js';
import type { QuotaService } from '../services/quota.service.js';
import type { MetadefContentService } from '../services/metadef-content.service.js';
import type { MetadefService } from '../services/metadef.service.js';
import type { Authenticator } from '../services/ports.js';
import { errorBody, statusOf } from './error-registry.js';
import { PATCH_V20, PATCH_V21 } from './patch-body.js';
import { registerCatalogRoutes } from './routes/catalog.routes.js';
import { registerImageDataRoutes } from './routes/image-data.routes.js';
import { registerIdentityRoutes, type IdentityRouteDeps } from './routes/identity.routes.js';
import { registerImageRoutes } from './routes/images.routes.js';
import { registerMemberRoutes } from './routes/members.routes.js';
import { registerMetadefRoutes } from './routes/metadefs.routes.js';
import { registerQuotaRoutes } from './routes/quotas.routes.js';
import { registerSchemaRoutes } from './routes/schemas.routes.js';
import { registerVersionRoutes } from './routes/versions.routes.js';

export interface HttpDeps {
  images: ImageService;
  imageData: ImageDataService;
  members: MemberService;
  quotas: QuotaService;
  /** Imago's catalog: lineage, families, deprecation (/imago/v1). */
  catalog: CatalogService;
  /** Metadata definitions (/v2/metadefs). */
  metadefs: { namespaces: MetadefService; contents: MetadefContentService };
  authenticator: Authenticator;
  /** Public base URL for absolute links (version document); derived from Host when unset. */
  publicUrl: string | undefined;
  logLevel: string;
  /** Standalone identity (/identity/v3); absent in Keystone mode, where Keystone issues tokens. */
  identity?: Pick<IdentityRouteDeps, 'identity' | 'tokens'>;
  /** Where 401 answers send clients for a token (WWW-Authenticate); Imago's own identity when unset. */
  identityUri?: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | undefined;
  }
}

/** The authenticated caller; routes under /v2 always have one (the hook rejects otherwise). */
export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw new UnauthorizedError();
  return request.principal;
}

/** JSON bodies for create and patch (1 MiB is far above any legitimate image document). */
const JSON_BODY_LIMIT = 1024 * 1024;

export function buildHttpServer(deps: HttpDeps): FastifyInstance {
  const app = Fastify({
    logger: { level: deps.logLevel },
    // One line per request is written by the onResponse hook instead of Fastify's two.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: JSON_BODY_LIMIT,
    // Image uploads can take hours on slow links; only idle sockets are timed out.
    requestTimeout: 0,
    connectionTimeout: 0,
    keepAliveTimeout: 65_000,
    return503OnClosing: true,
    forceCloseConnections: 'idle',
  });
  app.decorateRequest('principal', undefined);

  // Only JSON documents and image data are accepted; anything else is a 415.
  app.removeContentTypeParser(['text/plain', 'application/json']);
  const parseJson = app.getDefaultJsonParser('error', 'error');
  // An empty body is no body: clients (Tempest's among them) send `Content-Type: application/json`
  // on DELETE and on actions without one, and Glance accepts that. Routes that need a document say so.
  const parseJsonOrNothing: typeof parseJson = (request, body, done) => {
    if (body === '') return done(null, undefined);
    return parseJson(request, body, done);
  };
  app.addContentTypeParser(['application/json', PATCH_V21, PATCH_V20], { parseAs: 'string' }, parseJsonOrNothing);
  // Image data is streamed by the route itself; the parser only lets the raw request through.
  app.addContentTypeParser('application/octet-stream', (_request, _payload, done) => done(null));

  app.addHook('onRequest', async (request) => {
    // Imago's own API (/imago/v1) authenticates as the Image API does.
    if (!/^\/(v2|imago\/v1)(\/|$)/.test(request.url)) return;
    const header = request.headers['x-auth-token'];
    request.principal = await deps.authenticator.authenticate(Array.isArray(header) ? header[0] : header);
  });

  app.addHook('onResponse', async (request, reply) => {
    request.log.info({ method: request.method, url: request.url, status: reply.statusCode, ms: Math.round(reply.elapsedTime) }, 'request');
  });

  app.setErrorHandler((error: FastifyError | ImagoError | Error, request, reply) => {
    if (error instanceof ImagoError) {
      const status = statusOf(error.code);
      if (status >= 500) request.log.error({ err: error }, error.message);
      if (error.code === 'unauthorized') reply.header('www-authenticate', `Keystone uri="${deps.identityUri ?? '/identity/v3'}"`);
      return reply.code(status).send(errorBody(status, error.message, error.reason));
    }
    const status = (error as FastifyError).statusCode;
    if (status !== undefined && status >= 400 && status < 500) {
      return reply.code(status).send(errorBody(status, clientErrorMessage(error as FastifyError)));
    }
    request.log.error({ err: error }, 'unhandled error');
    return reply.code(500).send(errorBody(500, 'The server could not complete the request; the error has been logged.'));
  });

  app.setNotFoundHandler((request, reply) => {
    reply.code(404).send(errorBody(404, `The resource could not be found: ${request.method} ${request.url.split('?')[0]}`));
  });

  registerVersionRoutes(app, deps.publicUrl);
  registerSchemaRoutes(app);
  registerImageRoutes(app, deps.images);
  registerImageDataRoutes(app, deps.imageData);
  registerMemberRoutes(app, deps.members);
  if (deps.identity) registerIdentityRoutes(app, { ...deps.identity, authenticator: deps.authenticator, publicUrl: deps.publicUrl });
  registerQuotaRoutes(app, deps.quotas);
  registerCatalogRoutes(app, deps.catalog);
  registerMetadefRoutes(app, deps.metadefs.namespaces, deps.metadefs.contents);
  return app;
}

/** Fastify's own 4xx errors (bad JSON, media types, sizes) in Glance's words. */
function clientErrorMessage(error: FastifyError): string {
  switch (error.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return 'Malformed JSON in request body.';
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return `Unsupported Content-Type: ${error.message.replace(/^Unsupported Media Type: /, '')}`;
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return 'Request body is too large.';
    default:
      return error.message;
  }
}
