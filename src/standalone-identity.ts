/**
 * Builds standalone mode's identity objects (repositories, hasher, services, authenticator)
 * for app.ts, and runs the first-start bootstrap. Kept apart from app.ts so the composition
 * root stays one screen; everything is still built explicitly, here.
 */
import type { Kysely } from 'kysely';
import { saveAdminPassword } from './admin-password.js';
import { ApplicationCredentialRepository } from './db/repositories/app-credential.repository.js';
import { IdentityRepository } from './db/repositories/identity.repository.js';
import { TokenRepository } from './db/repositories/token.repository.js';
import type { Database } from './db/schema.js';
import type { Policy } from './domain/policy.js';
import { SecretHasher } from './lib/secret-hash.js';
import { IdentityBootstrap } from './services/identity-bootstrap.service.js';
import { IdentityService } from './services/identity.service.js';
import { IssuedTokenAuthenticator } from './services/issued-token-authenticator.js';
import type { Clock } from './services/ports.js';
import { TokenService } from './services/token.service.js';

export interface StandaloneIdentity {
  identity: IdentityService;
  tokens: TokenService;
  authenticator: IssuedTokenAuthenticator;
  /**
   * Creates the admin user and project when there are no users, and prunes old tokens.
   * Returns the path of the generated password file when one was written.
   */
  start(options: { bootstrapPassword: string | undefined; dataDir: string }): Promise<{ passwordPath?: string }>;
}

export function buildStandaloneIdentity(db: Kysely<Database>, policy: Policy, clock: Clock, options: { tokenTtlSeconds: number }): StandaloneIdentity {
  const store = new IdentityRepository(db);
  const credentials = new ApplicationCredentialRepository(db);
  const tokenStore = new TokenRepository(db);
  const hasher = new SecretHasher();
  const tokens = new TokenService(store, credentials, tokenStore, hasher, clock, policy, { ttlSeconds: options.tokenTtlSeconds });
  const identity = new IdentityService(store, credentials, tokenStore, hasher, policy, clock);
  const bootstrap = new IdentityBootstrap(store, hasher, clock);
  return {
    identity,
    tokens,
    authenticator: new IssuedTokenAuthenticator(tokens),
    async start({ bootstrapPassword, dataDir }) {
      await tokens.prune();
      const result = await bootstrap.run(bootstrapPassword);
      if (!result.created || result.generatedPassword === undefined) return {};
      return { passwordPath: await saveAdminPassword(dataDir, result.generatedPassword) };
    },
  };
}
