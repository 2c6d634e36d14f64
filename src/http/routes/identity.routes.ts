/**
 * Imago's Keystone-v3-compatible identity subset under /identity (standalone mode): version
 * discovery, token issue/validate/revoke with a service catalog, and the admin API for users,
 * projects, roles, assignments and application credentials. Routes parse and shape; the
 * services decide (through the policy) and the error registry maps their errors.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { BadRequestError, NotFoundError } from '../../domain/errors.js';
import { DEFAULT_DOMAIN, type RoleName } from '../../domain/identity.js';
import type { Principal } from '../../domain/principal.js';
import { AuthenticationFailure } from '../../services/auth-failure.js';
import type { IdentityService } from '../../services/identity.service.js';
import type { Authenticator } from '../../services/ports.js';
import type { TokenService } from '../../services/token.service.js';
import { parseCredentialBody, parseProjectBody, parseUserBody } from '../identity-admin-body.js';
import { parseAuthBody } from '../identity-auth-body.js';
import {
  assignmentView, collection, credentialView, identityVersion, projectView, roleView, serviceCatalog, tokenView, userView,
} from '../identity-views.js';

export interface IdentityRouteDeps {
  identity: IdentityService;
  tokens: TokenService;
  authenticator: Authenticator;
  publicUrl: string | undefined;
}

type Params = Record<string, string>;
type Query = Record<string, string | undefined>;

const header = (request: FastifyRequest, name: string): string | undefined => {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
};

/** Keystone's boolean query flags: present without a value, or anything but false/0. */
const flag = (value: string | undefined): boolean => value !== undefined && !/^(false|0|no)$/i.test(value);

export function registerIdentityRoutes(app: FastifyInstance, deps: IdentityRouteDeps): void {
  const { identity, tokens } = deps;
  const base = (request: FastifyRequest): string => deps.publicUrl ?? `${request.protocol}://${request.headers.host ?? request.hostname}`;
  const caller = (request: FastifyRequest): Promise<Principal> => deps.authenticator.authenticate(header(request, 'x-auth-token'));
  const self = (request: FastifyRequest): string => `${base(request)}${request.url.split('?')[0]}`;
  const v3 = '/identity/v3';

  // Discovery: keystoneauth reads these to find the v3 API from whatever auth_url it was given.
  app.get('/identity', async (request, reply) => reply.code(300).send({ versions: { values: [identityVersion(base(request))] } }));
  app.get('/identity/', async (request, reply) => reply.code(300).send({ versions: { values: [identityVersion(base(request))] } }));
  app.get(v3, async (request) => ({ version: identityVersion(base(request)) }));
  app.get(`${v3}/`, async (request) => ({ version: identityVersion(base(request)) }));

  // Tokens

  app.post(`${v3}/auth/tokens`, async (request, reply) => {
    const auth = parseAuthBody(request.body, header(request, 'x-auth-token'));
    let issued;
    try {
      issued = await tokens.issue(auth);
    } catch (err) {
      // The client gets one uniform 401; the log says what happened (never a secret).
      if (err instanceof AuthenticationFailure) request.log.warn({ method: auth.identity.method, detail: err.detail }, 'authentication failed');
      throw err;
    }
    const query = request.query as Query;
    reply.header('x-subject-token', issued.token);
    return reply.code(201).send(tokenView(issued.info, base(request), !flag(query.nocatalog)));
  });

  app.get(`${v3}/auth/tokens`, async (request, reply) => {
    const principal = await caller(request);
    const subject = subjectToken(request);
    const record = await tokens.inspect(principal, subject);
    reply.header('x-subject-token', subject);
    return tokenView(record, base(request), !flag((request.query as Query).nocatalog));
  });

  app.delete(`${v3}/auth/tokens`, async (request, reply) => {
    await tokens.revoke(await caller(request), subjectToken(request));
    return reply.code(204).send();
  });

  app.get(`${v3}/auth/projects`, async (request) => {
    const projects = await identity.listOwnProjects(await caller(request));
    return collection('projects', projects.map((p) => projectView(p, base(request))), self(request));
  });

  app.get(`${v3}/auth/catalog`, async (request) => {
    await caller(request);
    return { catalog: serviceCatalog(base(request)), links: { self: self(request) } };
  });

  // The one domain, for clients that look it up by id or list domains.

  const domainView = (request: FastifyRequest) => ({
    id: DEFAULT_DOMAIN.id, name: DEFAULT_DOMAIN.name, description: 'The default domain', enabled: true, tags: [], options: {},
    links: { self: `${base(request)}${v3}/domains/${DEFAULT_DOMAIN.id}` },
  });
  app.get(`${v3}/domains`, async (request) => {
    await caller(request);
    const { name } = request.query as Query;
    return collection('domains', name === undefined || name === DEFAULT_DOMAIN.name ? [domainView(request)] : [], self(request));
  });
  app.get(`${v3}/domains/:id`, async (request) => {
    await caller(request);
    const { id } = request.params as Params;
    if (id !== DEFAULT_DOMAIN.id) throw new NotFoundError(`Could not find domain: ${id}.`, { reason: 'identity.domain_not_found' });
    return { domain: domainView(request) };
  });

  // Projects

  app.get(`${v3}/projects`, async (request) => {
    const { name } = request.query as Query;
    const projects = await identity.listProjects(await caller(request), name === undefined ? {} : { name });
    return collection('projects', projects.map((p) => projectView(p, base(request))), self(request));
  });
  app.post(`${v3}/projects`, async (request, reply) => {
    const principal = await caller(request);
    const project = await identity.createProject(principal, parseProjectBody(request.body, true));
    return reply.code(201).send({ project: projectView(project, base(request)) });
  });
  app.get(`${v3}/projects/:id`, async (request) => {
    const project = await identity.getProject(await caller(request), (request.params as Params).id!);
    return { project: projectView(project, base(request)) };
  });
  app.patch(`${v3}/projects/:id`, async (request) => {
    const principal = await caller(request);
    const project = await identity.updateProject(principal, (request.params as Params).id!, parseProjectBody(request.body, false));
    return { project: projectView(project, base(request)) };
  });
  app.delete(`${v3}/projects/:id`, async (request, reply) => {
    await identity.deleteProject(await caller(request), (request.params as Params).id!);
    return reply.code(204).send();
  });

  // Users

  app.get(`${v3}/users`, async (request) => {
    const { name } = request.query as Query;
    const users = await identity.listUsers(await caller(request), name === undefined ? {} : { name });
    return collection('users', users.map((u) => userView(u, base(request))), self(request));
  });
  app.post(`${v3}/users`, async (request, reply) => {
    const principal = await caller(request);
    const user = await identity.createUser(principal, parseUserBody(request.body, true));
    return reply.code(201).send({ user: userView(user, base(request)) });
  });
  app.get(`${v3}/users/:id`, async (request) => {
    const user = await identity.getUser(await caller(request), (request.params as Params).id!);
    return { user: userView(user, base(request)) };
  });
  app.patch(`${v3}/users/:id`, async (request) => {
    const principal = await caller(request);
    const user = await identity.updateUser(principal, (request.params as Params).id!, parseUserBody(request.body, false));
    return { user: userView(user, base(request)) };
  });
  app.delete(`${v3}/users/:id`, async (request, reply) => {
    await identity.deleteUser(await caller(request), (request.params as Params).id!);
    return reply.code(204).send();
  });

  // Roles and assignments

  app.get(`${v3}/roles`, async (request) => {
    const { name } = request.query as Query;
    const roles = identity.listRoles(await caller(request), name === undefined ? {} : { name });
    return collection('roles', roles.map((r) => roleView(r, base(request))), self(request));
  });
  app.get(`${v3}/roles/:id`, async (request) => ({ role: roleView(identity.getRole(await caller(request), (request.params as Params).id!), base(request)) }));

  app.get(`${v3}/projects/:project/users/:user/roles`, async (request) => {
    const { project, user } = request.params as Params;
    const assignments = await identity.listAssignments(await caller(request), { userId: user!, projectId: project! });
    return collection('roles', assignments.map((a) => roleView(a.role, base(request))), self(request));
  });
  const assignmentRoute = `${v3}/projects/:project/users/:user/roles/:role`;
  app.put(assignmentRoute, async (request, reply) => {
    const { project, user, role } = request.params as Params;
    await identity.assignRole(await caller(request), user!, project!, role!);
    return reply.code(204).send();
  });
  // GET answers HEAD too (Fastify derives it): 204 when the assignment exists, else 404.
  app.get(assignmentRoute, async (request, reply) => {
    const { project, user, role } = request.params as Params;
    await identity.checkRole(await caller(request), user!, project!, role!);
    return reply.code(204).send();
  });
  app.delete(assignmentRoute, async (request, reply) => {
    const { project, user, role } = request.params as Params;
    await identity.unassignRole(await caller(request), user!, project!, role!);
    return reply.code(204).send();
  });

  app.get(`${v3}/role_assignments`, async (request) => {
    const principal = await caller(request);
    const query = request.query as Query;
    const role = query['role.id'];
    if (query['scope.domain.id'] !== undefined || query['scope.system'] !== undefined || query['group.id'] !== undefined) {
      // Imago has no domain or system scope and no groups: nothing is assigned there.
      return collection('role_assignments', [], self(request));
    }
    const assignments = await identity.listAssignments(principal, {
      ...(query['user.id'] !== undefined ? { userId: query['user.id'] } : {}),
      ...(query['scope.project.id'] !== undefined ? { projectId: query['scope.project.id'] } : {}),
      ...(role !== undefined ? { role: role as RoleName } : {}),
      effective: flag(query.effective),
    });
    const names = flag(query.include_names) ? await nameIndex(identity, principal) : undefined;
    return collection('role_assignments', assignments.map((a) => assignmentView(a, base(request), names)), self(request));
  });

  // Application credentials: a user's own

  const credentials = `${v3}/users/:user/application_credentials`;
  app.get(credentials, async (request) => {
    const { name } = request.query as Query;
    const list = await identity.listCredentials(await caller(request), (request.params as Params).user!, name === undefined ? {} : { name });
    return collection('application_credentials', list.map((c) => credentialView(c, base(request))), self(request));
  });
  app.post(credentials, async (request, reply) => {
    const principal = await caller(request);
    // Creating needs the caller's own token record: its project, its roles, how it was made.
    const callerToken = await tokens.validate(header(request, 'x-auth-token') ?? '').catch((err: unknown) => {
      if (err instanceof AuthenticationFailure) throw new BadRequestError('Application credentials are created with a token issued by Imago.', { reason: 'identity.static_token', cause: err });
      throw err;
    });
    const { credential, secret } = await identity.createCredential(principal, callerToken, (request.params as Params).user!, parseCredentialBody(request.body));
    return reply.code(201).send({ application_credential: credentialView(credential, base(request), secret) });
  });
  app.get(`${credentials}/:id`, async (request) => {
    const { user, id } = request.params as Params;
    return { application_credential: credentialView(await identity.getCredential(await caller(request), user!, id!), base(request)) };
  });
  app.delete(`${credentials}/:id`, async (request, reply: FastifyReply) => {
    const { user, id } = request.params as Params;
    await identity.deleteCredential(await caller(request), user!, id!);
    return reply.code(204).send();
  });
}

function subjectToken(request: FastifyRequest): string {
  const subject = header(request, 'x-subject-token');
  if (subject === undefined || subject === '') throw new BadRequestError('Expecting to find X-Subject-Token in the request headers.', { reason: 'identity.missing_subject_token' });
  return subject;
}

/** Names for ?include_names: one listing of users and projects rather than a lookup per row. */
async function nameIndex(identity: IdentityService, principal: Principal) {
  const [users, projects] = await Promise.all([identity.listUsers(principal), identity.listProjects(principal)]);
  const userNames = new Map(users.map((u) => [u.id, u.name]));
  const projectNames = new Map(projects.map((p) => [p.id, p.name]));
  return { user: (id: string) => userNames.get(id), project: (id: string) => projectNames.get(id) };
}
