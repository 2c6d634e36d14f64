/**
 * The HTTP side of Keystone mode: password authentication of Imago's service user and
 * validation of users' tokens with Keystone's identity API v3 (GET /v3/auth/tokens), the
 * two calls keystonemiddleware's auth_token makes for Glance. Every way Keystone can fail
 * becomes a ServiceUnavailableError, so a broken or absent Keystone is a 503, never a 500.
 */
import { ServiceUnavailableError } from '../domain/errors.js';
import type { KeystoneIdentity, KeystoneTokenInfo, KeystoneValidation, ServiceToken } from '../services/keystone.ports.js';

export interface KeystoneServiceCredentials {
  /** Keystone's identity v3 root, e.g. http://127.0.0.1:5000/v3 (no trailing slash). */
  url: string;
  username: string;
  password: string;
  projectName: string;
  userDomain: string;
  projectDomain: string;
}

export interface KeystoneClientOptions {
  /** How long one call may take before Keystone counts as unreachable. */
  timeoutMs: number;
  /** Injected so tests can count or break calls; the global fetch otherwise. */
  fetch?: typeof fetch;
}

export class KeystoneClient implements KeystoneIdentity {
  private readonly fetch: typeof fetch;

  constructor(private readonly credentials: KeystoneServiceCredentials, private readonly options: KeystoneClientOptions) {
    this.fetch = options.fetch ?? globalThis.fetch;
  }

  async issueServiceToken(): Promise<ServiceToken> {
    const { username, password, projectName, userDomain, projectDomain } = this.credentials;
    const response = await this.call('/auth/tokens', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        auth: {
          identity: { methods: ['password'], password: { user: { name: username, password, domain: { name: userDomain } } } },
          scope: { project: { name: projectName, domain: { name: projectDomain } } },
        },
      }),
    });
    if (response.status !== 201) await discard(response);
    if (response.status === 401 || response.status === 403 || response.status === 404) {
      throw new ServiceUnavailableError(
        `Keystone refused Imago's service credentials (user ${username} in project ${projectName}): HTTP ${response.status}`,
        { reason: 'keystone.service_auth_failed' },
      );
    }
    if (response.status !== 201) throw unexpected('authenticating the service user', response.status);
    const token = response.headers.get('x-subject-token');
    const body = await this.json(response);
    const expiresAt = parseTime(field(body, 'token', 'expires_at'));
    if (!token || !expiresAt) throw malformed('the service token');
    return { token, expiresAt };
  }

  async validate(serviceToken: string, subjectToken: string): Promise<KeystoneValidation> {
    // nocatalog: the catalog is the bulk of the answer and Imago has no use for it.
    const response = await this.call('/auth/tokens?nocatalog', {
      method: 'GET',
      headers: { 'x-auth-token': serviceToken, 'x-subject-token': subjectToken },
    });
    if (response.status === 200) return { kind: 'valid', token: toTokenInfo(await this.json(response)) };
    await discard(response);
    switch (response.status) {
      case 404: return { kind: 'invalid' };
      case 401: return { kind: 'service_token_rejected' };
      case 403:
        throw new ServiceUnavailableError(
          `Keystone does not let Imago's service user ${this.credentials.username} validate tokens (it needs the service or admin role)`,
          { reason: 'keystone.service_forbidden' },
        );
      default: throw unexpected('validating a token', response.status);
    }
  }

  private async call(path: string, init: RequestInit): Promise<Response> {
    try {
      return await this.fetch(`${this.credentials.url}${path}`, { ...init, signal: AbortSignal.timeout(this.options.timeoutMs) });
    } catch (err) {
      throw new ServiceUnavailableError(`Keystone at ${this.credentials.url} cannot be reached`, { cause: err, reason: 'keystone.unreachable' });
    }
  }

  private async json(response: Response): Promise<unknown> {
    try {
      return await response.json();
    } catch (err) {
      throw new ServiceUnavailableError('Keystone answered with a body that is not JSON', { cause: err, reason: 'keystone.bad_response' });
    }
  }
}

/** Reads a validation answer; anything missing or mistyped is Keystone's fault, not the user's. */
function toTokenInfo(body: unknown): KeystoneTokenInfo {
  const userId = field(body, 'token', 'user', 'id');
  const expiresAt = parseTime(field(body, 'token', 'expires_at'));
  const roles = field(body, 'token', 'roles') ?? [];
  const projectId = field(body, 'token', 'project', 'id');
  if (typeof userId !== 'string' || !expiresAt || !Array.isArray(roles)
    || !roles.every((r) => typeof field(r, 'name') === 'string')
    || (projectId !== undefined && typeof projectId !== 'string')) {
    throw malformed('a token validation');
  }
  return {
    userId,
    projectId: projectId ?? null,
    roles: roles.map((r) => field(r, 'name') as string),
    expiresAt,
  };
}

function field(value: unknown, ...path: string[]): unknown {
  let current = value;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

function parseTime(value: unknown): Date | undefined {
  if (typeof value !== 'string') return undefined;
  const time = new Date(value);
  return Number.isNaN(time.getTime()) ? undefined : time;
}

/** Reads an unused body so that its connection is released. */
async function discard(response: Response): Promise<void> {
  await response.arrayBuffer().catch(() => undefined);
}

function unexpected(what: string, status: number): ServiceUnavailableError {
  return new ServiceUnavailableError(`Keystone answered HTTP ${status} when ${what}`, { reason: 'keystone.bad_response' });
}

function malformed(what: string): ServiceUnavailableError {
  return new ServiceUnavailableError(`Keystone's answer to ${what} lacks the expected fields`, { reason: 'keystone.bad_response' });
}
