import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ServiceUnavailableError } from '../domain/errors.js';
import { KeystoneClient, type KeystoneServiceCredentials } from './keystone.client.js';

// The happy paths run against a real Keystone in test/integration/keystone; these cover how
// the client reads Keystone's answers, including broken ones, through a scripted fetch.

const credentials: KeystoneServiceCredentials = {
  url: 'http://keystone.test/v3', username: 'imago', password: 'pw', projectName: 'service', userDomain: 'Default', projectDomain: 'Ops',
};

interface Seen { url: string; init: RequestInit }

function client(answer: (seen: Seen) => Response | Promise<Response>): { client: KeystoneClient; seen: Seen[] } {
  const seen: Seen[] = [];
  const fetch = (async (url: string, init: RequestInit) => { seen.push({ url, init }); return answer({ url, init }); }) as typeof globalThis.fetch;
  return { client: new KeystoneClient(credentials, { timeoutMs: 1000, fetch }), seen };
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });

const unavailable = (reason: string) => (err: unknown) => err instanceof ServiceUnavailableError && err.reason === reason;

describe('KeystoneClient', () => {
  it("logs the service user in with a project-scoped password request", async () => {
    const { client: c, seen } = client(() => json(201, { token: { expires_at: '2026-01-01T04:00:00.000000Z' } }, { 'x-subject-token': 'svc' }));
    assert.deepEqual(await c.issueServiceToken(), { token: 'svc', expiresAt: new Date('2026-01-01T04:00:00Z') });
    assert.equal(seen[0]!.url, 'http://keystone.test/v3/auth/tokens');
    assert.equal(seen[0]!.init.method, 'POST');
    assert.deepEqual(JSON.parse(seen[0]!.init.body as string), {
      auth: {
        identity: { methods: ['password'], password: { user: { name: 'imago', password: 'pw', domain: { name: 'Default' } } } },
        scope: { project: { name: 'service', domain: { name: 'Ops' } } },
      },
    });
  });

  it('treats refused service credentials as Keystone being unavailable to Imago (503), not as the caller\'s fault', async () => {
    const { client: c } = client(() => json(401, { error: { code: 401 } }));
    await assert.rejects(c.issueServiceToken(), unavailable('keystone.service_auth_failed'));
  });

  it('validates with the service token and the subject token, without the catalog', async () => {
    const { client: c, seen } = client(() => json(200, {
      token: {
        user: { id: 'u1', name: 'someone' }, project: { id: 'p1', name: 'one' },
        roles: [{ id: 'r1', name: 'member' }, { id: 'r2', name: 'reader' }], expires_at: '2026-01-01T01:00:00.000000Z',
      },
    }));
    assert.deepEqual(await c.validate('svc', 'user-token'), {
      kind: 'valid', token: { userId: 'u1', projectId: 'p1', roles: ['member', 'reader'], expiresAt: new Date('2026-01-01T01:00:00Z') },
    });
    assert.equal(seen[0]!.url, 'http://keystone.test/v3/auth/tokens?nocatalog');
    const headers = seen[0]!.init.headers as Record<string, string>;
    assert.equal(headers['x-auth-token'], 'svc');
    assert.equal(headers['x-subject-token'], 'user-token');
  });

  it('reads a domain-scoped or unscoped token as having no project', async () => {
    const { client: c } = client(() => json(200, { token: { user: { id: 'u1' }, domain: { id: 'default' }, roles: [], expires_at: '2026-01-01T01:00:00Z' } }));
    const answer = await c.validate('svc', 't');
    assert.equal(answer.kind === 'valid' && answer.token.projectId, null);
  });

  it("maps Keystone's 404 to an invalid token and its 401 to a rejected service token", async () => {
    assert.deepEqual(await client(() => json(404, { error: { code: 404 } })).client.validate('svc', 't'), { kind: 'invalid' });
    assert.deepEqual(await client(() => json(401, { error: { code: 401 } })).client.validate('svc', 't'), { kind: 'service_token_rejected' });
  });

  it('answers 503 for every way Keystone can fail', async () => {
    const cases: Array<[string, () => Response | Promise<Response>]> = [
      ['keystone.unreachable', () => { throw new TypeError('fetch failed'); }],
      ['keystone.service_forbidden', () => json(403, { error: { code: 403 } })],
      ['keystone.bad_response', () => json(500, { error: { code: 500 } })],
      ['keystone.bad_response', () => new Response('<html>proxy error</html>', { status: 200 })],
      ['keystone.bad_response', () => json(200, { token: { user: { id: 'u1' }, roles: 'member', expires_at: '2026-01-01T01:00:00Z' } })],
      ['keystone.bad_response', () => json(200, { token: { user: { id: 'u1' }, roles: [], expires_at: 'soon' } })],
    ];
    for (const [reason, answer] of cases) {
      await assert.rejects(client(answer).client.validate('svc', 't'), unavailable(reason), reason);
    }
  });

  it('gives up on a Keystone that does not answer in time', async () => {
    const fetch = ((_url: string, init: RequestInit) => new Promise((_resolve, reject) => {
      init.signal!.addEventListener('abort', () => reject(init.signal!.reason));
    })) as typeof globalThis.fetch;
    const slow = new KeystoneClient(credentials, { timeoutMs: 50, fetch });
    // AbortSignal.timeout's timer does not keep the process alive; a running server does.
    const keepAlive = setTimeout(() => undefined, 5000);
    try {
      await assert.rejects(slow.validate('svc', 't'), unavailable('keystone.unreachable'));
    } finally {
      clearTimeout(keepAlive);
    }
  });
});
