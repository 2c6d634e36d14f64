/**
 * Standalone mode's Authenticator for the tokens Imago issued. Each request costs one catalog
 * round trip and nothing is cached, so a revocation on any node holds at once on every node.
 * app.ts puts it behind the static tokens in an AuthenticatorChain.
 */
import { UnauthorizedError } from '../domain/errors.js';
import type { Principal } from '../domain/principal.js';
import type { Authenticator } from './ports.js';
import { principalFromToken, type TokenService } from './token.service.js';

export class IssuedTokenAuthenticator implements Authenticator {
  constructor(private readonly tokens: TokenService) {}

  async authenticate(token: string | undefined): Promise<Principal> {
    if (token === undefined || token === '') throw new UnauthorizedError(undefined, { reason: 'auth.missing_token' });
    return principalFromToken(await this.tokens.validate(token));
  }
}
