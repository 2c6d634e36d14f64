import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ServiceUnavailableError, UnauthorizedError } from '../domain/errors.js';
import { AuthenticatorChain } from './authenticator-chain.js';
import type { Authenticator } from './ports.js';
import { TokenAuthenticator } from './token-authenticator.js';

/** Knows one token; counts how often it was asked. */
function source(known: string, projectId: string, failure?: Error): Authenticator & { asked: number } {
  return {
    asked: 0,
    async authenticate(token) {
      this.asked++;
      if (failure) throw failure;
      if (token !== known) throw new UnauthorizedError('no', { reason: `unknown-to-${projectId}` });
      return { projectId, userId: null, roles: ['member'] };
    },
  };
}

describe('AuthenticatorChain', () => {
  it('answers from the first source that knows the token, asking no further', async () => {
    const first = new TokenAuthenticator('operator-admin-token', [{ token: 'operator-token', project: 'ops', roles: ['member'] }]);
    const second = source('remote-token', 'remote');
    const chain = new AuthenticatorChain([first, second]);
    assert.equal((await chain.authenticate('operator-token')).projectId, 'ops');
    assert.equal(second.asked, 0);
    assert.equal((await chain.authenticate('remote-token')).projectId, 'remote');
    assert.equal(second.asked, 1);
  });

  it("refuses with the last source's 401 when no source knows the token", async () => {
    const chain = new AuthenticatorChain([source('a-token', 'a'), source('b-token', 'b')]);
    await assert.rejects(chain.authenticate('c-token'), (err: UnauthorizedError) => err.reason === 'unknown-to-b');
  });

  it('answers with a failure that is not a 401 at once (an unreachable identity service)', async () => {
    const down = source('', 'down', new ServiceUnavailableError('Keystone cannot be reached', { reason: 'keystone.unreachable' }));
    const after = source('a-token', 'after');
    const chain = new AuthenticatorChain([down, after]);
    await assert.rejects(chain.authenticate('a-token'), ServiceUnavailableError);
    assert.equal(after.asked, 0);
  });
});
