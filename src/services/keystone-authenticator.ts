/**
 * Keystone mode: X-Auth-Token is validated by an existing OpenStack Keystone, as Glance's
 * keystonemiddleware auth_token does. Imago holds a token of its own service user, asks
 * Keystone about each unknown user token, and maps the answer to a Principal: the token's
 * project, user and role names.
 *
 * Valid answers are cached until the token expires or `cacheSeconds` pass, whichever is
 * first; after that the next request asks Keystone again, so a revoked token, a disabled user
 * or a changed role assignment takes effect within `cacheSeconds` (keystonemiddleware's
 * token_cache_time, without its revocation lists). Refusals are not cached. Requests that
 * arrive together with the same unknown token share one validation call.
 */
import { createHash } from 'node:crypto';
import { ServiceUnavailableError, UnauthorizedError } from '../domain/errors.js';
import type { Principal } from '../domain/principal.js';
import type { KeystoneIdentity, KeystoneTokenInfo, ServiceToken } from './keystone.ports.js';
import type { Authenticator, Clock } from './ports.js';
import { TokenCache } from './token-cache.js';

export interface KeystoneAuthenticatorOptions {
  /** How long a positive validation is trusted without asking Keystone again; 0 disables the cache. */
  cacheSeconds: number;
  /** Most validations kept at once (least recently used go first). */
  cacheCapacity: number;
}

/** A service token is renewed this long before it expires, so none expires mid-request. */
const SERVICE_TOKEN_MARGIN_MS = 120_000;

/**
 * Keystone's tokens (fernet, JWS) are short printable ASCII. Anything else cannot be valid and
 * is refused here, so that it is neither hashed at length nor forwarded as a header.
 */
const PLAUSIBLE_TOKEN = /^[\x21-\x7e]{1,8192}$/;

const digest = (token: string): string => createHash('sha256').update(token).digest('hex');

export class KeystoneAuthenticator implements Authenticator {
  private readonly cache: TokenCache;
  private readonly pending = new Map<string, Promise<Principal>>();
  private serviceToken: { token: ServiceToken; renewAt: number } | undefined;
  private serviceTokenRequest: Promise<string> | undefined;

  constructor(private readonly keystone: KeystoneIdentity, private readonly clock: Clock, private readonly options: KeystoneAuthenticatorOptions) {
    this.cache = new TokenCache(clock, options.cacheCapacity);
  }

  async authenticate(token: string | undefined): Promise<Principal> {
    if (token === undefined || token === '') throw new UnauthorizedError(undefined, { reason: 'auth.missing_token' });
    if (!PLAUSIBLE_TOKEN.test(token)) throw invalidToken();
    const key = digest(token);
    const cached = this.cache.get(key);
    if (cached) return cached;
    let validation = this.pending.get(key);
    if (!validation) {
      validation = this.validate(token, key).finally(() => this.pending.delete(key));
      this.pending.set(key, validation);
    }
    return validation;
  }

  private async validate(token: string, key: string): Promise<Principal> {
    let answer = await this.keystone.validate(await this.currentServiceToken(), token);
    if (answer.kind === 'service_token_rejected') {
      // Revoked or expired early (e.g. the service user's password changed): log in again, once.
      this.serviceToken = undefined;
      answer = await this.keystone.validate(await this.currentServiceToken(), token);
      if (answer.kind === 'service_token_rejected') {
        this.serviceToken = undefined;
        throw new ServiceUnavailableError('Keystone does not accept the service token it has just issued to Imago', { reason: 'keystone.service_token_rejected' });
      }
    }
    if (answer.kind === 'invalid') throw invalidToken();
    const principal = toPrincipal(answer.token);
    if (this.options.cacheSeconds > 0) {
      const until = Math.min(answer.token.expiresAt.getTime(), this.clock.now().getTime() + this.options.cacheSeconds * 1000);
      this.cache.set(key, principal, new Date(until));
    }
    return principal;
  }

  /** The service token, renewed ahead of its expiry; concurrent callers share one renewal. */
  private currentServiceToken(): Promise<string> {
    if (this.serviceToken && this.clock.now().getTime() < this.serviceToken.renewAt) return Promise.resolve(this.serviceToken.token.token);
    this.serviceTokenRequest ??= this.keystone.issueServiceToken()
      .then((issued) => {
        const now = this.clock.now().getTime();
        const lifetime = issued.expiresAt.getTime() - now;
        // A token that lives shorter than twice the margin is renewed halfway through its life.
        this.serviceToken = { token: issued, renewAt: now + Math.max(0, lifetime - Math.min(SERVICE_TOKEN_MARGIN_MS, lifetime / 2)) };
        return issued.token;
      })
      .finally(() => { this.serviceTokenRequest = undefined; });
    return this.serviceTokenRequest;
  }
}

/**
 * Only project-scoped tokens can act on images: an image belongs to a project. Role names are
 * compared case-insensitively, as oslo.policy does, so Keystone's `Admin` is `admin` here.
 */
function toPrincipal(token: KeystoneTokenInfo): Principal {
  if (token.projectId === null) {
    throw new UnauthorizedError('The token is not scoped to a project; request a project-scoped token from Keystone.', { reason: 'auth.unscoped_token' });
  }
  return { projectId: token.projectId, userId: token.userId, roles: [...new Set(token.roles.map((r) => r.toLowerCase()))] };
}

function invalidToken(): UnauthorizedError {
  return new UnauthorizedError('The request you have made requires authentication.', { reason: 'auth.invalid_token' });
}
