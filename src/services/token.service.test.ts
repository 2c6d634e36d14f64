/** TokenService and IdentityBootstrap on a real in-memory catalog with a clock the test moves. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { openDatabase, type Catalog } from '../db/database.js';
import { migrateToLatest } from '../db/migrator.js';
import { ApplicationCredentialRepository } from '../db/repositories/app-credential.repository.js';
import { IdentityRepository } from '../db/repositories/identity.repository.js';
import { TokenRepository } from '../db/repositories/token.repository.js';
import { NotFoundError } from '../domain/errors.js';
import { Policy } from '../domain/policy.js';
import { SecretHasher } from '../lib/secret-hash.js';
import { AuthenticationFailure } from './auth-failure.js';
import { IdentityBootstrap } from './identity-bootstrap.service.js';
import { IdentityService } from './identity.service.js';
import { IssuedTokenAuthenticator } from './issued-token-authenticator.js';
import { principalFromToken, TokenService } from './token.service.js';

let catalog: Catalog;
let now = new Date(Date.UTC(2030, 0, 1));
const clock = { now: () => now };
const hasher = new SecretHasher({ ln: 10, r: 8, p: 1 });
const policy = new Policy();
const root = { projectId: 'admin', userId: null, roles: ['admin', 'member', 'reader'] } as const;
let tokens: TokenService;
let identity: IdentityService;
let store: IdentityRepository;

const passwordLogin = (name: string, pw: string, project?: string) => ({
  identity: { method: 'password' as const, user: { name, domain: { id: 'default' } }, password: pw },
  ...(project ? { scope: { project: { name: project, domain: { name: 'default' } } } } : {}),
});

before(async () => {
  catalog = await openDatabase('sqlite::memory:');
  await migrateToLatest(catalog.db);
  store = new IdentityRepository(catalog.db);
  const tokenStore = new TokenRepository(catalog.db);
  const credentials = new ApplicationCredentialRepository(catalog.db);
  tokens = new TokenService(store, credentials, tokenStore, hasher, clock, policy, { ttlSeconds: 600 });
  identity = new IdentityService(store, credentials, tokenStore, hasher, policy, clock);
});
after(async () => { await catalog?.close(); });

describe('IdentityBootstrap', () => {
  it('creates admin/admin once, generating a password only when none is configured', async () => {
    const bootstrap = new IdentityBootstrap(store, hasher, clock);
    const first = await bootstrap.run(undefined);
    assert.equal(first.created, true);
    assert.ok(first.created && first.generatedPassword && first.generatedPassword.length >= 20);
    assert.deepEqual(await bootstrap.run('configured-later'), { created: false }, 'users exist: nothing to do');
    const { info } = await tokens.issue(passwordLogin('admin', first.created ? first.generatedPassword! : '', 'admin'));
    assert.deepEqual(info.roles, ['admin', 'member', 'reader']);
  });
});

describe('TokenService', () => {
  let projectId: string;
  before(async () => {
    projectId = (await identity.createProject(root, { name: 'p' })).id;
    const user = await identity.createUser(root, { name: 'u', password: 'u-password' });
    await identity.assignRole(root, user.id, projectId, 'member');
  });

  it('expires tokens after token_ttl_seconds', async () => {
    const { token, info } = await tokens.issue(passwordLogin('u', 'u-password', 'p'));
    assert.equal(info.expiresAt.getTime() - info.issuedAt.getTime(), 600_000);
    const authenticator = new IssuedTokenAuthenticator(tokens);
    assert.deepEqual(await authenticator.authenticate(token), { projectId, userId: info.userId, roles: ['member', 'reader'] });
    now = new Date(now.getTime() + 600_000);
    await assert.rejects(authenticator.authenticate(token), AuthenticationFailure);
    await assert.rejects(tokens.inspect(root, token), NotFoundError);
  });

  it('never lets an exchanged token outlive the original', async () => {
    const first = await tokens.issue(passwordLogin('u', 'u-password', 'p'));
    now = new Date(now.getTime() + 300_000);
    const second = await tokens.issue({ identity: { method: 'token', token: first.token } });
    assert.deepEqual(second.info.expiresAt, first.info.expiresAt);
    assert.deepEqual(second.info.auditIds.slice(1), first.info.auditIds);
  });

  it('ends application-credential tokens with the credential, and stops honouring it after expiry', async () => {
    const login = await tokens.issue(passwordLogin('u', 'u-password', 'p'));
    const { credential, secret } = await identity.createCredential(principalFromToken(login.info), login.info, login.info.userId, {
      name: 'short', roles: ['reader'], expiresAt: new Date(now.getTime() + 60_000),
    });
    const issued = await tokens.issue({ identity: { method: 'application_credential', id: credential.id, secret } });
    assert.deepEqual(issued.info.expiresAt, credential.expiresAt);
    assert.deepEqual(issued.info.roles, ['reader']);
    now = new Date(now.getTime() + 60_000);
    await assert.rejects(tokens.issue({ identity: { method: 'application_credential', id: credential.id, secret } }), AuthenticationFailure);
  });

  it('drops a credential\'s roles the user no longer holds', async () => {
    const login = await tokens.issue(passwordLogin('u', 'u-password', 'p'));
    const { credential, secret } = await identity.createCredential(principalFromToken(login.info), login.info, login.info.userId, { name: 'member-cred' });
    assert.deepEqual(credential.roles, ['member', 'reader']);
    await identity.unassignRole(root, login.info.userId, credential.projectId, 'member');
    await identity.assignRole(root, login.info.userId, credential.projectId, 'reader');
    const issued = await tokens.issue({ identity: { method: 'application_credential', id: credential.id, secret } });
    assert.deepEqual(issued.info.roles, ['reader']);
    await assert.rejects(tokens.validate(login.token), AuthenticationFailure, 'removing the role revoked the old token');
  });

  it('runs the KDF for an unknown user too, and fails the same way', async () => {
    let derivations = 0;
    const counting = new (class extends SecretHasher {
      override async verify(secret: string, encoded: string | null | undefined): Promise<boolean> {
        derivations += 1;
        return super.verify(secret, encoded);
      }
    })({ ln: 10, r: 8, p: 1 });
    const service = new TokenService(store, new ApplicationCredentialRepository(catalog.db), new TokenRepository(catalog.db), counting, clock, policy, { ttlSeconds: 60 });
    const unknown = await service.issue(passwordLogin('nobody', 'x')).catch((err: AuthenticationFailure) => err);
    const wrong = await service.issue(passwordLogin('u', 'x')).catch((err: AuthenticationFailure) => err);
    assert.equal(derivations, 2);
    assert.ok(unknown instanceof AuthenticationFailure && wrong instanceof AuthenticationFailure);
    assert.equal(unknown.message, wrong.message);
    assert.equal(unknown.reason, wrong.reason);
    assert.notEqual(unknown.detail, wrong.detail, 'the log still tells them apart');
  });

  it('prunes tokens long expired', async () => {
    now = new Date(now.getTime() + 2 * 86_400_000);
    assert.ok((await tokens.prune()) > 0);
  });
});
