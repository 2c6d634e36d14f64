/**
 * A typed client of the Keystone v3 identity API subset Imago serves under /identity/v3
 * (it also speaks to a Keystone for the calls Keystone has). `logIn` gets a token with a
 * password or an application credential; the instance methods manage users, projects,
 * roles, assignments and application credentials with a token.
 */
import { ApiError } from './api-error.js';
import { HttpTransport } from './http-transport.js';
import type {
  ApplicationCredentialRecord, LoginCredentials, ProjectRecord, RoleAssignmentRecord, RoleRecord, Session, TokenRecord, UserRecord,
} from './identity-types.js';

export interface IdentityClientOptions {
  /** The identity endpoint: `…/identity`, `…/identity/v3` or a Keystone's `…/v3`. */
  authUrl: string;
  token?: string;
  fetch?: typeof fetch;
}

/** OS_AUTH_URL comes with or without /v3 and a trailing slash; requests go to …/v3. */
export function identityV3Url(authUrl: string): string {
  let url: URL;
  try {
    url = new URL(authUrl);
  } catch {
    throw new TypeError(`invalid auth URL '${authUrl}': expected something like http://127.0.0.1:9292/identity/v3`);
  }
  const path = url.pathname.replace(/\/+$/, '');
  return `${url.origin}${path.endsWith('/v3') ? path : `${path}/v3`}`;
}

/** The public URL of the first catalog entry of a service type (Imago: `image`). */
export function catalogUrl(record: TokenRecord, type: string, iface = 'public'): string | undefined {
  const service = record.catalog?.find((s) => s.type === type);
  return service?.endpoints.find((e) => e.interface === iface)?.url;
}

export interface CredentialCreate {
  name: string;
  description?: string;
  secret?: string;
  roles?: string[];
  expires_at?: string;
}

export class IdentityClient {
  readonly url: string;
  private readonly token: string | undefined;
  private readonly http: HttpTransport;

  constructor(options: IdentityClientOptions) {
    this.url = identityV3Url(options.authUrl);
    this.token = options.token;
    this.http = new HttpTransport(this.url, options.token, options.fetch);
  }

  /** POST /auth/tokens: a project-scoped token (when a project is named) and its catalog. */
  async logIn(credentials: LoginCredentials): Promise<Session> {
    let identity: unknown;
    let scope: unknown;
    if (credentials.kind === 'password') {
      identity = {
        methods: ['password'],
        password: { user: { name: credentials.username, domain: { name: credentials.userDomain ?? 'Default' }, password: credentials.password } },
      };
      if (credentials.projectName) scope = { project: { name: credentials.projectName, domain: { name: credentials.projectDomain ?? 'Default' } } };
    } else {
      identity = { methods: ['application_credential'], application_credential: { id: credentials.id, secret: credentials.secret } };
    }
    const response = await this.send('POST', '/auth/tokens', { auth: { identity, ...(scope ? { scope } : {}) } });
    const token = response.headers.get('x-subject-token');
    if (!token) throw new ApiError(response.status, 'the identity service answered without X-Subject-Token', '', 'POST', `${this.url}/auth/tokens`);
    return { token, record: ((await response.json()) as { token: TokenRecord }).token };
  }

  /** The caller's own token record (who and where this client's token is). */
  async whoAmI(): Promise<TokenRecord> {
    if (this.token === undefined) throw new TypeError('no token to look at');
    return (await this.json<{ token: TokenRecord }>('GET', '/auth/tokens?nocatalog', undefined, { 'x-subject-token': this.token })).token;
  }

  async listUsers(name?: string): Promise<UserRecord[]> {
    return (await this.json<{ users: UserRecord[] }>('GET', `/users${query({ name })}`)).users;
  }

  async createUser(fields: { name: string; password?: string; default_project_id?: string; enabled?: boolean }): Promise<UserRecord> {
    return (await this.json<{ user: UserRecord }>('POST', '/users', { user: fields })).user;
  }

  async deleteUser(id: string): Promise<void> {
    await this.send('DELETE', `/users/${encodeURIComponent(id)}`);
  }

  /** A user by id, else by exact name; ApiError 404 when neither matches. */
  async findUser(ref: string): Promise<UserRecord> {
    return this.find(ref, 'user', () => this.listUsers(ref), (id) => this.json<{ user: UserRecord }>('GET', `/users/${encodeURIComponent(id)}`).then((r) => r.user));
  }

  async listProjects(name?: string): Promise<ProjectRecord[]> {
    return (await this.json<{ projects: ProjectRecord[] }>('GET', `/projects${query({ name })}`)).projects;
  }

  async createProject(fields: { name: string; description?: string; enabled?: boolean }): Promise<ProjectRecord> {
    return (await this.json<{ project: ProjectRecord }>('POST', '/projects', { project: fields })).project;
  }

  async deleteProject(id: string): Promise<void> {
    await this.send('DELETE', `/projects/${encodeURIComponent(id)}`);
  }

  async findProject(ref: string): Promise<ProjectRecord> {
    return this.find(ref, 'project', () => this.listProjects(ref), (id) => this.json<{ project: ProjectRecord }>('GET', `/projects/${encodeURIComponent(id)}`).then((r) => r.project));
  }

  async listRoles(): Promise<RoleRecord[]> {
    return (await this.json<{ roles: RoleRecord[] }>('GET', '/roles')).roles;
  }

  async assignRole(projectId: string, userId: string, role: string): Promise<void> {
    await this.send('PUT', assignmentPath(projectId, userId, role));
  }

  async unassignRole(projectId: string, userId: string, role: string): Promise<void> {
    await this.send('DELETE', assignmentPath(projectId, userId, role));
  }

  async listRoleAssignments(filter: { userId?: string; projectId?: string; effective?: boolean } = {}): Promise<RoleAssignmentRecord[]> {
    const q = query({ 'user.id': filter.userId, 'scope.project.id': filter.projectId, include_names: 'true', ...(filter.effective ? { effective: 'true' } : {}) });
    return (await this.json<{ role_assignments: RoleAssignmentRecord[] }>('GET', `/role_assignments${q}`)).role_assignments;
  }

  async createCredential(userId: string, fields: CredentialCreate): Promise<ApplicationCredentialRecord> {
    const { roles, ...rest } = fields;
    const body = { ...rest, ...(roles ? { roles: roles.map((name) => ({ name })) } : {}) };
    return (await this.json<{ application_credential: ApplicationCredentialRecord }>('POST', `/users/${encodeURIComponent(userId)}/application_credentials`, { application_credential: body })).application_credential;
  }

  async listCredentials(userId: string): Promise<ApplicationCredentialRecord[]> {
    return (await this.json<{ application_credentials: ApplicationCredentialRecord[] }>('GET', `/users/${encodeURIComponent(userId)}/application_credentials`)).application_credentials;
  }

  async deleteCredential(userId: string, id: string): Promise<void> {
    await this.send('DELETE', `/users/${encodeURIComponent(userId)}/application_credentials/${encodeURIComponent(id)}`);
  }

  private async find<T extends { id: string }>(ref: string, kind: string, byName: () => Promise<T[]>, byId: (id: string) => Promise<T>): Promise<T> {
    try {
      return await byId(ref);
    } catch (err) {
      if (!(err instanceof ApiError) || err.status !== 404) throw err;
    }
    const matches = await byName();
    if (matches.length === 1) return matches[0]!;
    throw new ApiError(404, `no ${kind} with id or name '${ref}'`, '', 'GET', this.url);
  }

  private json<T>(method: string, path: string, payload?: unknown, headers: Record<string, string> = {}): Promise<T> {
    return this.http.json(method, path, payload, headers);
  }

  private send(method: string, path: string, payload?: unknown): Promise<Response> {
    return this.http.send(method, path, payload === undefined ? {} : { headers: { 'content-type': 'application/json', accept: 'application/json' }, body: JSON.stringify(payload) });
  }
}

function query(params: Record<string, string | undefined>): string {
  const entries = Object.entries(params).filter((e): e is [string, string] => e[1] !== undefined);
  return entries.length === 0 ? '' : `?${new URLSearchParams(entries).toString()}`;
}

const assignmentPath = (projectId: string, userId: string, role: string): string =>
  `/projects/${encodeURIComponent(projectId)}/users/${encodeURIComponent(userId)}/roles/${encodeURIComponent(role)}`;
