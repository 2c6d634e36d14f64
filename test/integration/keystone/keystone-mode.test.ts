/**
 * Keystone mode against a real, private Keystone (Debian's package, started by
 * test/support/keystone.ts once for this file): Imago validates users' tokens with Keystone
 * and authorises with the roles Keystone reports, as Glance behind keystonemiddleware does.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it, type TestContext } from 'node:test';
import { KeystoneClient } from '../../../src/keystone/keystone.client.js';
import { KeystoneAuthenticator } from '../../../src/services/keystone-authenticator.js';
import { freePort, keystoneInstalled, startKeystone, type PrivateKeystone } from '../../support/keystone.js';
import { requireAvailable } from '../../support/require-tool.js';
import { ADMIN_TOKEN, json, startTestServer, TOKENS, type TestServer } from '../../support/server.js';

let keystone: PrivateKeystone | undefined;
/** Imago with the default validation cache (300 s). */
let imago: TestServer;
/** Imago that trusts a validation for 1 s only, to see revocations take effect. */
let shortCache: TestServer;
const servers: TestServer[] = [];

function keystoneSettings(ks: PrivateKeystone, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    keystone_url: ks.url,
    keystone_username: 'imago',
    keystone_password: ks.users.imago!.password,
    keystone_project_name: 'service',
    ...extra,
  };
}

async function startImago(overrides: Record<string, unknown>): Promise<TestServer> {
  const server = await startTestServer(overrides);
  servers.push(server);
  return server;
}

before(async () => {
  if (!keystoneInstalled()) return;
  keystone = await startKeystone();
  imago = await startImago(keystoneSettings(keystone));
  shortCache = await startImago(keystoneSettings(keystone, { keystone_cache_seconds: 1 }));
});
after(async () => {
  for (const server of servers) await server.close();
  await keystone?.close();
});

/** The private Keystone, or undefined when the test has been skipped (never under CI=true). */
function ks(t: TestContext): PrivateKeystone | undefined {
  return requireAvailable(t, keystone !== undefined, "Keystone (Debian's keystone and uwsgi-plugin-python3)") ? keystone : undefined;
}

async function createImage(server: TestServer, token: string, body: Record<string, unknown>): Promise<Record<string, any>> {
  const res = await server.request('/v2/images', { ...json(body), token });
  assert.equal(res.status, 201, await res.clone().text());
  return res.json() as Promise<Record<string, any>>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('roles from Keystone', () => {
  it("lets a member list and create images in its project, owned by Keystone's project id", async (t) => {
    const k = ks(t); if (!k) return;
    const token = await k.token('one-member');
    const image = await createImage(imago, token, { name: 'one-private', visibility: 'private' });
    assert.equal(image.owner, k.projects.one);
    const list = await (await imago.request('/v2/images', { token })).json() as { images: Array<{ id: string }> };
    assert.ok(list.images.some((i) => i.id === image.id));
  });

  it('lets a reader read but not create (403)', async (t) => {
    const k = ks(t); if (!k) return;
    const image = await createImage(imago, await k.token('one-member'), { name: 'for-the-reader', visibility: 'private' });
    const reader = await k.token('one-reader');
    assert.equal((await imago.request(`/v2/images/${image.id}`, { token: reader })).status, 200);
    assert.equal((await imago.request('/v2/images', { token: reader })).status, 200);
    const refused = await imago.request('/v2/images', { ...json({ name: 'nope' }), token: reader });
    assert.equal(refused.status, 403);
  });

  it("treats Keystone's admin role as admin: sees every project's images and may publicise", async (t) => {
    const k = ks(t); if (!k) return;
    const image = await createImage(imago, await k.token('one-member'), { name: 'seen-by-admin', visibility: 'private' });
    const admin = await k.token('admin');
    assert.equal((await imago.request(`/v2/images/${image.id}`, { token: admin })).status, 200);
    const published = await createImage(imago, admin, { name: 'public-base', visibility: 'public' });
    assert.equal(published.owner, k.projects.admin);
    const memberTry = await imago.request('/v2/images', { ...json({ name: 'x', visibility: 'public' }), token: await k.token('one-member') });
    assert.equal(memberTry.status, 403);
  });

  it("hides a project's private image from another project's member (404)", async (t) => {
    const k = ks(t); if (!k) return;
    const image = await createImage(imago, await k.token('one-member'), { name: 'only-one', visibility: 'private' });
    const other = await k.token('two-member');
    assert.equal((await imago.request(`/v2/images/${image.id}`, { token: other })).status, 404);
    const list = await (await imago.request('/v2/images', { token: other })).json() as { images: Array<{ id: string }> };
    assert.ok(!list.images.some((i) => i.id === image.id));
  });

  it("keeps accepting the operator's static tokens beside Keystone's", async (t) => {
    if (!ks(t)) return;
    assert.equal((await imago.request('/v2/images', { token: ADMIN_TOKEN })).status, 200);
    const image = await createImage(imago, TOKENS.projA, { name: 'static' });
    assert.equal(image.owner, 'project-a');
  });
});

describe('refused tokens', () => {
  it('answers 401, pointing at Keystone, for a garbage, a truncated and an unscoped token', async (t) => {
    const k = ks(t); if (!k) return;
    const real = await k.token('one-member');
    for (const token of ['garbage', real.slice(0, -10), `${real}x`]) {
      const res = await imago.request('/v2/images', { token });
      assert.equal(res.status, 401, token);
      assert.equal(res.headers.get('www-authenticate'), `Keystone uri="${k.url}"`);
    }
    const unscoped = await imago.request('/v2/images', { token: await k.token('one-member', { unscoped: true }) });
    assert.equal(unscoped.status, 401);
    assert.equal((await unscoped.json() as { error: { reason: string } }).error.reason, 'auth.unscoped_token');
    assert.equal((await imago.request('/v2/images', { token: null })).status, 401);
  });

  it('stops accepting a revoked token once keystone_cache_seconds have passed', async (t) => {
    const k = ks(t); if (!k) return;
    const token = await k.token('two-member');
    assert.equal((await shortCache.request('/v2/images', { token })).status, 200);
    assert.equal((await imago.request('/v2/images', { token })).status, 200);
    await k.revoke(token);
    // Within the cache time the validation stands, as with keystonemiddleware's token cache ...
    assert.equal((await imago.request('/v2/images', { token })).status, 200);
    await sleep(1100);
    // ... and after it Keystone is asked again and answers that the token is gone.
    assert.equal((await shortCache.request('/v2/images', { token })).status, 401);
  });

  it('refuses the tokens of a user Keystone has disabled', async (t) => {
    const k = ks(t); if (!k) return;
    const created = await k.admin('/users', { method: 'POST', body: JSON.stringify({ user: { name: 'one-leaver', domain_id: 'default', password: 'leaver-secret' } }) });
    assert.equal(created.status, 201);
    const userId = (await created.json() as { user: { id: string } }).user.id;
    const roles = await (await k.admin('/roles?name=member')).json() as { roles: Array<{ id: string }> };
    assert.equal((await k.admin(`/projects/${k.projects.one}/users/${userId}/roles/${roles.roles[0]!.id}`, { method: 'PUT' })).status, 204);
    k.users['one-leaver'] = { id: userId, password: 'leaver-secret', project: 'one', roles: ['member'] };
    const token = await k.token('one-leaver');
    assert.equal((await shortCache.request('/v2/images', { token })).status, 200);
    assert.equal((await k.admin(`/users/${userId}`, { method: 'PATCH', body: JSON.stringify({ user: { enabled: false } }) })).status, 200);
    await sleep(1100);
    assert.equal((await shortCache.request('/v2/images', { token })).status, 401);
  });
});

describe('validation calls', () => {
  it('asks Keystone once for many requests, concurrent or not, with one token', async (t) => {
    const k = ks(t); if (!k) return;
    const token = await k.token('one-reader');
    const before = await k.validations();
    const concurrent = await Promise.all(Array.from({ length: 10 }, () => imago.request('/v2/images', { token })));
    for (const res of concurrent) assert.equal(res.status, 200);
    for (let i = 0; i < 20; i++) assert.equal((await imago.request('/v2/images', { token })).status, 200);
    // uwsgi writes its log line just after answering: wait for the one expected, then a little more.
    for (let i = 0; i < 50 && (await k.validations()) === before; i++) await sleep(100);
    await sleep(300);
    assert.equal(await k.validations() - before, 1);
  });

  it('shares one validation call among concurrent authentications (counted at the client)', async (t) => {
    const k = ks(t); if (!k) return;
    let calls = 0;
    const counting: typeof fetch = (input, init) => {
      if (String(input).includes('/auth/tokens?nocatalog') && init?.method === 'GET') calls++;
      return fetch(input, init);
    };
    const client = new KeystoneClient(
      { url: k.url, username: 'imago', password: k.users.imago!.password, projectName: 'service', userDomain: 'Default', projectDomain: 'Default' },
      { timeoutMs: 10_000, fetch: counting },
    );
    const auth = new KeystoneAuthenticator(client, { now: () => new Date() }, { cacheSeconds: 300, cacheCapacity: 100 });
    const token = await k.token('two-reader');
    const principals = await Promise.all(Array.from({ length: 25 }, () => auth.authenticate(token)));
    for (const p of principals) assert.deepEqual(p, { projectId: k.projects.two, userId: k.users['two-reader']!.id, roles: ['reader'] });
    await auth.authenticate(token);
    assert.equal(calls, 1);
  });
});

describe('Keystone unavailable', () => {
  it('answers 503, not 500, when Keystone cannot be reached or refuses the service user', async (t) => {
    const k = ks(t); if (!k) return;
    // A port that was just free: nothing listens there.
    const closed = await startImago(keystoneSettings(k, { keystone_url: `http://127.0.0.1:${await freePort()}/v3` }));
    const token = await k.token('one-member');
    const unreachable = await closed.request('/v2/images', { token });
    assert.equal(unreachable.status, 503);
    assert.equal((await unreachable.json() as { error: { reason: string } }).error.reason, 'keystone.unreachable');
    const wrongPassword = await startImago(keystoneSettings(k, { keystone_password: 'not-the-password' }));
    const refused = await wrongPassword.request('/v2/images', { token });
    assert.equal(refused.status, 503);
    assert.equal((await refused.json() as { error: { reason: string } }).error.reason, 'keystone.service_auth_failed');
    // The operator's static tokens need no Keystone.
    assert.equal((await closed.request('/v2/images', { token: TOKENS.projB })).status, 200);
  });

  it('answers 503 once Keystone has stopped, while validations it cached still serve', async (t) => {
    const k = ks(t); if (!k) return;
    const cached = await k.token('two-member');
    const fresh = await k.token('one-member');
    assert.equal((await imago.request('/v2/images', { token: cached })).status, 200);
    await k.stopServer();
    assert.equal((await imago.request('/v2/images', { token: fresh })).status, 503);
    assert.equal((await imago.request('/v2/images', { token: cached })).status, 200);
  });
});
