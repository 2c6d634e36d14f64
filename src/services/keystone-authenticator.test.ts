import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ServiceUnavailableError, UnauthorizedError } from '../domain/errors.js';
import { KeystoneAuthenticator } from './keystone-authenticator.js';
import type { KeystoneIdentity, KeystoneTokenInfo, KeystoneValidation, ServiceToken } from './keystone.ports.js';

const HOUR = 3_600_000;

function fakeClock(start = Date.UTC(2026, 0, 1)) {
  let now = start;
  return { now: () => new Date(now), advance: (ms: number) => { now += ms; }, at: (ms: number) => new Date(now + ms) };
}
type FakeClock = ReturnType<typeof fakeClock>;

/**
 * Keystone as the authenticator sees it: a table of user tokens, service tokens it issues
 * (numbered) and accepts, and a count of every call.
 */
class FakeKeystone implements KeystoneIdentity {
  readonly tokens = new Map<string, KeystoneTokenInfo>();
  readonly acceptedServiceTokens = new Set<string>();
  issued = 0;
  validations = 0;
  serviceTokenLifetimeMs = 4 * HOUR;
  /** When set, every call fails as an unreachable Keystone does. */
  down = false;
  /** When set, validations wait for this before answering. */
  gate: Promise<void> | undefined;

  constructor(private readonly clock: FakeClock) {}

  async issueServiceToken(): Promise<ServiceToken> {
    if (this.down) throw new ServiceUnavailableError('down', { reason: 'keystone.unreachable' });
    this.issued++;
    const token = `service-${this.issued}`;
    this.acceptedServiceTokens.add(token);
    return { token, expiresAt: this.clock.at(this.serviceTokenLifetimeMs) };
  }

  async validate(serviceToken: string, subjectToken: string): Promise<KeystoneValidation> {
    this.validations++;
    if (this.gate) await this.gate;
    if (this.down) throw new ServiceUnavailableError('down', { reason: 'keystone.unreachable' });
    if (!this.acceptedServiceTokens.has(serviceToken)) return { kind: 'service_token_rejected' };
    const token = this.tokens.get(subjectToken);
    if (!token || token.expiresAt <= this.clock.now()) return { kind: 'invalid' };
    return { kind: 'valid', token };
  }
}

function setup(cacheSeconds = 300) {
  const clock = fakeClock();
  const keystone = new FakeKeystone(clock);
  const auth = new KeystoneAuthenticator(keystone, clock, { cacheSeconds, cacheCapacity: 100 });
  keystone.tokens.set('member-token', { userId: 'u1', projectId: 'p1', roles: ['member', 'reader'], expiresAt: clock.at(HOUR) });
  return { clock, keystone, auth };
}

const rejectsWith = (promise: Promise<unknown>, type: new (...args: never[]) => Error, reason: string) =>
  assert.rejects(promise, (err: Error & { reason?: string }) => err instanceof type && err.reason === reason);

describe('KeystoneAuthenticator', () => {
  it("maps a project-scoped token to its project, user and lower-cased role names", async () => {
    const { auth, keystone, clock } = setup();
    keystone.tokens.set('admin-token', { userId: 'a', projectId: 'admin-p', roles: ['Admin', 'member', 'reader', 'admin'], expiresAt: clock.at(HOUR) });
    assert.deepEqual(await auth.authenticate('member-token'), { projectId: 'p1', userId: 'u1', roles: ['member', 'reader'] });
    assert.deepEqual(await auth.authenticate('admin-token'), { projectId: 'admin-p', userId: 'a', roles: ['admin', 'member', 'reader'] });
  });

  it('refuses a missing token, an unknown one, an unscoped one, and implausible ones without asking Keystone', async () => {
    const { auth, keystone, clock } = setup();
    keystone.tokens.set('unscoped', { userId: 'u1', projectId: null, roles: [], expiresAt: clock.at(HOUR) });
    await rejectsWith(auth.authenticate(undefined), UnauthorizedError, 'auth.missing_token');
    await rejectsWith(auth.authenticate(''), UnauthorizedError, 'auth.missing_token');
    await rejectsWith(auth.authenticate('unknown-token'), UnauthorizedError, 'auth.invalid_token');
    await rejectsWith(auth.authenticate('unscoped'), UnauthorizedError, 'auth.unscoped_token');
    const asked = keystone.validations;
    await rejectsWith(auth.authenticate('two words'), UnauthorizedError, 'auth.invalid_token');
    await rejectsWith(auth.authenticate('x'.repeat(8193)), UnauthorizedError, 'auth.invalid_token');
    await rejectsWith(auth.authenticate('caf\u00e9'), UnauthorizedError, 'auth.invalid_token');
    assert.equal(keystone.validations, asked);
  });

  it('asks Keystone once for many requests with one token, and again once cache_seconds have passed', async () => {
    const { auth, keystone, clock } = setup(300);
    for (let i = 0; i < 20; i++) await auth.authenticate('member-token');
    assert.equal(keystone.validations, 1);
    clock.advance(299_999);
    await auth.authenticate('member-token');
    assert.equal(keystone.validations, 1);
    clock.advance(1);
    await auth.authenticate('member-token');
    assert.equal(keystone.validations, 2);
  });

  it('stops accepting a revoked token once its cached validation expires', async () => {
    const { auth, keystone, clock } = setup(30);
    await auth.authenticate('member-token');
    keystone.tokens.delete('member-token');
    clock.advance(29_000);
    await auth.authenticate('member-token');
    clock.advance(1000);
    await rejectsWith(auth.authenticate('member-token'), UnauthorizedError, 'auth.invalid_token');
  });

  it("never trusts a validation past the token's own expiry", async () => {
    const { auth, keystone, clock } = setup(300);
    keystone.tokens.set('short', { userId: 'u1', projectId: 'p1', roles: ['reader'], expiresAt: clock.at(10_000) });
    await auth.authenticate('short');
    clock.advance(9_999);
    await auth.authenticate('short');
    assert.equal(keystone.validations, 1);
    clock.advance(1);
    await rejectsWith(auth.authenticate('short'), UnauthorizedError, 'auth.invalid_token');
    assert.equal(keystone.validations, 2);
  });

  it('asks every time with cache_seconds 0, and never caches a refusal', async () => {
    const { auth, keystone } = setup(0);
    await auth.authenticate('member-token');
    await auth.authenticate('member-token');
    assert.equal(keystone.validations, 2);
    const { auth: cached, keystone: ks2, clock } = setup(300);
    await assert.rejects(cached.authenticate('later-token'));
    ks2.tokens.set('later-token', { userId: 'u2', projectId: 'p2', roles: ['member'], expiresAt: clock.at(HOUR) });
    assert.equal((await cached.authenticate('later-token')).projectId, 'p2');
  });

  it('shares one validation among concurrent requests with the same unknown token', async () => {
    const { auth, keystone } = setup();
    let open!: () => void;
    keystone.gate = new Promise((resolve) => { open = resolve; });
    const requests = Array.from({ length: 10 }, () => auth.authenticate('member-token'));
    const refusals = Array.from({ length: 5 }, () => auth.authenticate('unknown-token'));
    await new Promise((resolve) => setImmediate(resolve));
    open();
    for (const principal of await Promise.all(requests)) assert.equal(principal.projectId, 'p1');
    for (const refusal of refusals) await rejectsWith(refusal, UnauthorizedError, 'auth.invalid_token');
    assert.equal(keystone.validations, 2);
    assert.equal(keystone.issued, 1, 'one service token for all of them');
  });

  it('reuses its service token, and renews it ahead of its expiry', async () => {
    const { auth, keystone, clock } = setup(0);
    keystone.tokens.set('long-token', { userId: 'u1', projectId: 'p1', roles: ['reader'], expiresAt: clock.at(8 * HOUR) });
    await auth.authenticate('long-token');
    clock.advance(4 * HOUR - 121_000);
    await auth.authenticate('long-token');
    assert.equal(keystone.issued, 1);
    clock.advance(1000);
    await auth.authenticate('long-token');
    assert.equal(keystone.issued, 2, 'renewed two minutes before it expires');
  });

  it('logs in again when Keystone rejects its service token, and retries the validation once', async () => {
    const { auth, keystone } = setup(0);
    await auth.authenticate('member-token');
    keystone.acceptedServiceTokens.clear();
    assert.equal((await auth.authenticate('member-token')).userId, 'u1');
    assert.equal(keystone.issued, 2);
    // A Keystone that rejects even a fresh service token is misconfigured: 503, not 401.
    keystone.issueServiceToken = async () => ({ token: 'never-accepted', expiresAt: new Date(Date.UTC(2030, 0, 1)) });
    keystone.acceptedServiceTokens.clear();
    await rejectsWith(auth.authenticate('member-token'), ServiceUnavailableError, 'keystone.service_token_rejected');
  });

  it('answers 503 while Keystone is down and recovers when it is back', async () => {
    const { auth, keystone } = setup();
    keystone.down = true;
    await rejectsWith(auth.authenticate('member-token'), ServiceUnavailableError, 'keystone.unreachable');
    await rejectsWith(auth.authenticate('member-token'), ServiceUnavailableError, 'keystone.unreachable');
    keystone.down = false;
    assert.equal((await auth.authenticate('member-token')).projectId, 'p1');
  });

  it('keeps serving cached validations while Keystone is down', async () => {
    const { auth, keystone } = setup();
    await auth.authenticate('member-token');
    keystone.down = true;
    assert.equal((await auth.authenticate('member-token')).projectId, 'p1');
  });
});
