/**
 * Several sources of tokens behind one Authenticator: each is asked in turn until one knows
 * the token. Used in Keystone mode so that the operator's static tokens from configuration
 * keep working beside Keystone's. Only a 401 moves on to the next source; any other failure
 * (Keystone unreachable: 503) is the answer, and when no source knows the token the last
 * source's refusal is.
 */
import { UnauthorizedError } from '../domain/errors.js';
import type { Principal } from '../domain/principal.js';
import type { Authenticator } from './ports.js';

export class AuthenticatorChain implements Authenticator {
  constructor(private readonly sources: readonly [Authenticator, ...Authenticator[]]) {}

  async authenticate(token: string | undefined): Promise<Principal> {
    let refusal: unknown;
    for (const source of this.sources) {
      try {
        return await source.authenticate(token);
      } catch (err) {
        if (!(err instanceof UnauthorizedError)) throw err;
        refusal = err;
      }
    }
    throw refusal;
  }
}
