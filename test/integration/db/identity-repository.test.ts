/** The identity repositories (projects, users, assignments, credentials, tokens) on every dialect. */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { ApplicationCredentialRepository } from '../../../src/db/repositories/app-credential.repository.js';
import { IdentityRepository } from '../../../src/db/repositories/identity.repository.js';
import { TokenRepository } from '../../../src/db/repositories/token.repository.js';
import { ConflictError } from '../../../src/domain/errors.js';
import type { IssuedToken, Project, User } from '../../../src/domain/identity.js';
import { newIdentityId } from '../../../src/services/token.service.js';
import { forEachDialect } from '../../support/databases.js';

const at = (ms: number) => new Date(Date.UTC(2030, 0, 1) + ms);
const project = (name: string, extra: Partial<Project> = {}): Project => ({ id: newIdentityId(), name, description: `${name} project`, enabled: true, createdAt: at(1), ...extra });
const user = (name: string, extra: Partial<User> = {}): User => ({ id: newIdentityId(), name, enabled: true, defaultProjectId: null, createdAt: at(2), ...extra });
const token = (userId: string, projectId: string | null, extra: Partial<IssuedToken> = {}): IssuedToken => ({
  userId, projectId, roles: ['member', 'reader'], methods: ['password'], auditIds: ['audit1'], applicationCredentialId: null, issuedAt: at(10), expiresAt: at(3_600_000), ...extra,
});

forEachDialect((_dialect, catalog) => {
  const identities = () => new IdentityRepository(catalog().db);
  const credentials = () => new ApplicationCredentialRepository(catalog().db);
  const tokens = () => new TokenRepository(catalog().db);

  it('stores projects and users, finds them by id and name, and refuses duplicate names', async () => {
    const p = project('repo-p1', { enabled: false });
    await identities().createProject(p);
    assert.deepEqual(await identities().getProject(p.id), p);
    assert.deepEqual(await identities().findProjectByName('repo-p1'), p);
    await assert.rejects(identities().createProject(project('repo-p1')), ConflictError);

    const u = user('repo-u1', { defaultProjectId: p.id });
    await identities().createUser(u, '$scrypt$hash');
    assert.deepEqual(await identities().getUser(u.id), { ...u, passwordHash: '$scrypt$hash' });
    assert.deepEqual(await identities().findUserByName('repo-u1'), { ...u, passwordHash: '$scrypt$hash' });
    assert.deepEqual(await identities().listUsers({ name: 'repo-u1' }), [u], 'lists carry no hash');
    await assert.rejects(identities().createUser(user('repo-u1'), null), ConflictError);
    assert.equal(await identities().getUser('0'.repeat(32)), undefined);
  });

  it('updates projects and users, refusing a rename onto a taken name', async () => {
    const p = project('repo-p2');
    await identities().createProject(p);
    await identities().createProject(project('repo-p2-taken'));
    assert.deepEqual(await identities().updateProject(p.id, { description: 'new', enabled: false }), { ...p, description: 'new', enabled: false });
    await assert.rejects(identities().updateProject(p.id, { name: 'repo-p2-taken' }), ConflictError);
    assert.equal(await identities().updateProject('f'.repeat(32), { description: 'x' }), undefined);

    const u = user('repo-u2');
    await identities().createUser(u, null);
    const updated = await identities().updateUser(u.id, { enabled: false, passwordHash: 'h', defaultProjectId: p.id });
    assert.deepEqual(updated, { ...u, enabled: false, passwordHash: 'h', defaultProjectId: p.id });
  });

  it('assigns roles idempotently, lists them by user, project and role, and removes them', async () => {
    const p = project('repo-p3');
    const u = user('repo-u3');
    await identities().createProject(p);
    await identities().createUser(u, null);
    await identities().addAssignment({ userId: u.id, projectId: p.id, role: 'member' });
    await identities().addAssignment({ userId: u.id, projectId: p.id, role: 'member' });
    await identities().addAssignment({ userId: u.id, projectId: p.id, role: 'admin' });
    assert.deepEqual((await identities().listAssignments({ userId: u.id })).map((a) => a.role), ['admin', 'member']);
    assert.deepEqual(await identities().listAssignments({ projectId: p.id, role: 'member' }), [{ userId: u.id, projectId: p.id, role: 'member' }]);
    assert.equal(await identities().removeAssignment({ userId: u.id, projectId: p.id, role: 'admin' }), true);
    assert.equal(await identities().removeAssignment({ userId: u.id, projectId: p.id, role: 'admin' }), false);
    assert.ok((await identities().countUsers()) >= 1);
  });

  it('keeps application credentials with their hash, unique per user and name', async () => {
    const p = project('repo-p4');
    const u = user('repo-u4');
    await identities().createProject(p);
    await identities().createUser(u, null);
    const credential = { id: newIdentityId(), userId: u.id, projectId: p.id, name: 'ci', description: 'for CI', roles: ['member', 'reader'] as const, expiresAt: at(99), createdAt: at(5) };
    await credentials().create({ ...credential, roles: [...credential.roles] }, '$scrypt$secret');
    assert.deepEqual(await credentials().get(credential.id), { ...credential, roles: ['member', 'reader'], secretHash: '$scrypt$secret' });
    assert.equal((await credentials().findByName(u.id, 'ci'))?.id, credential.id);
    assert.deepEqual((await credentials().list(u.id)).map((c) => c.name), ['ci']);
    assert.equal('secretHash' in (await credentials().list(u.id))[0]!, false);
    await assert.rejects(credentials().create({ ...credential, id: newIdentityId(), roles: ['reader'] }, 'x'), ConflictError);
    assert.equal(await credentials().delete(credential.id), true);
    assert.equal(await credentials().get(credential.id), undefined);
  });

  it('stores tokens by hash with their user, project and credential, and revokes them', async () => {
    const p = project('repo-p5');
    const u = user('repo-u5');
    await identities().createProject(p);
    await identities().createUser(u, null);
    const issued = token(u.id, p.id, { auditIds: ['a1', 'a0'], methods: ['token'] });
    await tokens().insert('a'.repeat(64), issued);
    await tokens().insert('b'.repeat(64), token(u.id, null, { roles: [] }));
    assert.deepEqual(await tokens().get('a'.repeat(64)), {
      ...issued, revokedAt: null, userName: 'repo-u5', userEnabled: true, projectName: 'repo-p5', projectEnabled: true, applicationCredentialName: null,
    });
    const unscoped = await tokens().get('b'.repeat(64));
    assert.equal(unscoped?.projectId, null);
    assert.equal(unscoped?.projectEnabled, null);
    assert.equal(await tokens().get('c'.repeat(64)), undefined);

    assert.equal(await tokens().revoke('a'.repeat(64), at(20)), true);
    assert.equal(await tokens().revoke('a'.repeat(64), at(21)), false, 'already revoked');
    assert.deepEqual((await tokens().get('a'.repeat(64)))?.revokedAt, at(20));
  });

  it('revokes by user and project, by credential, prunes expired tokens, and cascades deletes', async () => {
    const p = project('repo-p6');
    const other = project('repo-p6-other');
    const u = user('repo-u6');
    await identities().createProject(p);
    await identities().createProject(other);
    await identities().createUser(u, null);
    await tokens().insert('1'.repeat(64), token(u.id, p.id));
    await tokens().insert('2'.repeat(64), token(u.id, other.id));
    await tokens().insert('3'.repeat(64), token(u.id, p.id, { applicationCredentialId: 'c'.repeat(32) }));
    await tokens().insert('4'.repeat(64), token(u.id, p.id, { expiresAt: at(15) }));
    assert.equal(await tokens().revokeForUser(u.id, at(20), other.id), 1);
    assert.equal((await tokens().get('1'.repeat(64)))?.revokedAt, null);
    assert.equal(await tokens().revokeForApplicationCredential('c'.repeat(32), at(20)), 1);
    assert.equal(await tokens().revokeForUser(u.id, at(20)), 1, 'only the live, unrevoked one remains');
    assert.equal(await tokens().deleteExpired(at(16)), 1);
    assert.equal(await tokens().get('4'.repeat(64)), undefined);

    await identities().addAssignment({ userId: u.id, projectId: p.id, role: 'reader' });
    assert.equal(await identities().deleteProject(other.id), true);
    assert.equal(await tokens().get('2'.repeat(64)), undefined, 'tokens of a deleted project go');
    assert.equal(await identities().deleteUser(u.id), true);
    assert.equal(await tokens().get('1'.repeat(64)), undefined, 'tokens of a deleted user go');
    assert.deepEqual(await identities().listAssignments({ projectId: p.id }), []);
    assert.equal(await identities().deleteUser(u.id), false);
  });

  it('sets a deleted default project to null', async () => {
    const p = project('repo-p7');
    await identities().createProject(p);
    const u = user('repo-u7', { defaultProjectId: p.id });
    await identities().createUser(u, null);
    await identities().deleteProject(p.id);
    assert.equal((await identities().getUser(u.id))?.defaultProjectId, null);
  });
});
