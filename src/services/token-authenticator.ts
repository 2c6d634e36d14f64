/**
 * Static-token authentication (the Foundation's auth): the admin token and the project
 * tokens from configuration. Tokens are looked up by their SHA-256, so lookup time does not
 * depend on how much of a guessed token matches a real one.
 */
import { createHash } from 'node:crypto';
import { UnauthorizedError } from '../domain/errors.js';
import type { Principal } from '../domain/principal.js';
import type { Authenticator } from './ports.js';

export interface TokenGrantLike {
  token: string;
  project: string;
  roles: readonly string[];
}

/** The project the admin token is scoped to; images the admin creates belong to it. */
export const ADMIN_PROJECT = 'admin';

const digest = (token: string): string => createHash('sha256').update(token).digest('hex');

export class TokenAuthenticator implements Authenticator {
  private readonly principals = new Map<string, Principal>();

  constructor(adminToken: string, grants: readonly TokenGrantLike[]) {
    for (const grant of grants) {
      this.principals.set(digest(grant.token), { projectId: grant.project, userId: null, roles: [...grant.roles] });
    }
    this.principals.set(digest(adminToken), { projectId: ADMIN_PROJECT, userId: null, roles: ['admin', 'member', 'reader'] });
  }

  async authenticate(token: string | undefined): Promise<Principal> {
    if (token === undefined || token === '') throw new UnauthorizedError(undefined, { reason: 'auth.missing_token' });
    const principal = this.principals.get(digest(token));
    if (!principal) throw new UnauthorizedError('The request you have made requires authentication.', { reason: 'auth.invalid_token' });
    return principal;
  }
}
