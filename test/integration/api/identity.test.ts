/** The standalone identity API (/identity/v3) against a real server: Keystone's shapes, statuses and refusals. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { json, startTestServer, TOKENS, type TestServer } from '../../support/server.js';

const ADMIN_PASSWORD = 'bootstrap-admin-password';
let server: TestServer;
after(async () => { await server?.close(); });

type Doc = Record<string, any>;
const DOMAIN = { name: 'Default' };

function passwordAuth(user: Doc, password: string, scope?: Doc): Doc {
  return { auth: { identity: { methods: ['password'], password: { user: { ...user, password } } }, ...(scope ? { scope } : {}) } };
}

async function post(path: string, body: unknown, token?: string | null): Promise<Response> {
  return server.request(`/identity/v3${path}`, { ...json(body), token: token === undefined ? null : token });
}

/** Logs in and returns the token and the token document. */
async function login(name: string, password: string, project?: string): Promise<{ token: string; body: Doc }> {
  const res = await post('/auth/tokens', passwordAuth({ name, domain: DOMAIN }, password, project ? { project: { name: project, domain: DOMAIN } } : undefined));
  assert.equal(res.status, 201, await res.clone().text());
  return { token: res.headers.get('x-subject-token')!, body: await res.json() as Doc };
}

async function adminCall(method: string, path: string, body?: unknown, token?: string): Promise<Response> {
  return server.request(`/identity/v3${path}`, {
    method, token, ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
  });
}

async function created(res: Response): Promise<Doc> {
  assert.equal(res.status, 201, await res.clone().text());
  return res.json() as Promise<Doc>;
}

let admin: string;
let projectA: Doc;
let projectB: Doc;
let alice: Doc;
let bob: Doc;

before(async () => {
  server = await startTestServer({ bootstrap_password: ADMIN_PASSWORD });
  admin = (await login('admin', ADMIN_PASSWORD, 'admin')).token;
  projectA = (await created(await adminCall('POST', '/projects', { project: { name: 'team-a', description: 'A team', domain_id: 'default' } }, admin))).project;
  projectB = (await created(await adminCall('POST', '/projects', { project: { name: 'team-b' } }, admin))).project;
  alice = (await created(await adminCall('POST', '/users', { user: { name: 'alice', password: 'alice-password', default_project_id: projectA.id } }, admin))).user;
  bob = (await created(await adminCall('POST', '/users', { user: { name: 'bob', password: 'bob-password' } }, admin))).user;
  assert.equal((await adminCall('PUT', `/projects/${projectA.id}/users/${alice.id}/roles/member`, undefined, admin)).status, 204);
  assert.equal((await adminCall('PUT', `/projects/${projectB.id}/users/${bob.id}/roles/reader`, undefined, admin)).status, 204);
});

describe('discovery', () => {
  it('answers /identity with 300 and /identity/v3 with the v3 version document', async () => {
    const root = await fetch(`${server.url}/identity`);
    assert.equal(root.status, 300);
    const values = (await root.json() as Doc).versions.values;
    assert.equal(values[0].links[0].href, `${server.url}/identity/v3/`);
    const v3 = await (await fetch(`${server.url}/identity/v3`)).json() as Doc;
    assert.equal(v3.version.status, 'stable');
    assert.match(v3.version.id, /^v3\.\d+$/);
    assert.equal(v3.version['media-types'][0].type, 'application/vnd.openstack.identity-v3+json');
  });
});

describe('password authentication', () => {
  it('issues a project-scoped token with Keystone\'s body and a catalog of Imago\'s endpoints', async () => {
    const res = await post('/auth/tokens', passwordAuth({ name: 'alice', domain: { id: 'default' } }, 'alice-password', { project: { name: 'team-a', domain: { id: 'default' } } }));
    assert.equal(res.status, 201);
    const token = res.headers.get('x-subject-token')!;
    assert.match(token, /^[A-Za-z0-9_-]{43}$/);
    const body = (await res.json() as Doc).token;
    assert.deepEqual(body.methods, ['password']);
    assert.deepEqual(body.user, { domain: { id: 'default', name: 'Default' }, id: alice.id, name: 'alice', password_expires_at: null });
    assert.deepEqual(body.project, { domain: { id: 'default', name: 'Default' }, id: projectA.id, name: 'team-a' });
    assert.deepEqual(body.roles.map((r: Doc) => r.name), ['member', 'reader'], 'member implies reader');
    assert.equal(body.audit_ids.length, 1);
    assert.match(body.expires_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    const lifetime = Date.parse(body.expires_at) - Date.parse(body.issued_at);
    assert.ok(lifetime > 3500_000 && lifetime <= 3600_000, `default lifetime is an hour, got ${lifetime}`);
    const image = body.catalog.find((s: Doc) => s.type === 'image');
    assert.deepEqual(image.endpoints.map((e: Doc) => e.interface).sort(), ['admin', 'internal', 'public']);
    assert.ok(image.endpoints.every((e: Doc) => e.url === server.url && e.region === 'RegionOne' && e.region_id === 'RegionOne'));
    assert.equal(body.catalog.find((s: Doc) => s.type === 'identity').endpoints[0].url, `${server.url}/identity`);
  });

  it('scopes by project id, by the user\'s id, and to the default project when no scope is asked', async () => {
    const byId = await post('/auth/tokens', passwordAuth({ id: alice.id }, 'alice-password', { project: { id: projectA.id } }));
    assert.equal(byId.status, 201);
    const unscopedAsk = (await (await post('/auth/tokens', passwordAuth({ id: alice.id }, 'alice-password'))).json() as Doc).token;
    assert.equal(unscopedAsk.project.id, projectA.id, 'default project');
    const bobs = (await (await post('/auth/tokens', passwordAuth({ id: bob.id }, 'bob-password'))).json() as Doc).token;
    assert.equal(bobs.project, undefined, 'no default project: unscoped');
    assert.equal(bobs.roles, undefined);
    assert.equal(bobs.catalog, undefined);
  });

  it('omits the catalog with ?nocatalog', async () => {
    const res = await server.request('/identity/v3/auth/tokens?nocatalog', { ...json(passwordAuth({ id: alice.id }, 'alice-password')), token: null });
    assert.equal((await res.json() as Doc).token.catalog, undefined);
  });

  it('gives the token\'s project and roles to the image API', async () => {
    const { token } = await login('alice', 'alice-password', 'team-a');
    const res = await server.request('/v2/images', { ...json({ name: 'alice-image' }), token });
    assert.equal(res.status, 201);
    assert.equal((await res.json() as Doc).owner, projectA.id);
    const reader = (await login('bob', 'bob-password', 'team-b')).token;
    assert.equal((await server.request('/v2/images', { token: reader })).status, 200);
    assert.equal((await server.request('/v2/images', { ...json({ name: 'x' }), token: reader })).status, 403, 'a reader cannot create');
  });

  it('answers every bad credential with the same 401, and malformed bodies with 400, never 500', async () => {
    const unknown = await post('/auth/tokens', passwordAuth({ name: 'nobody', domain: DOMAIN }, 'whatever'));
    const wrong = await post('/auth/tokens', passwordAuth({ name: 'alice', domain: DOMAIN }, 'not-her-password'));
    const otherDomain = await post('/auth/tokens', passwordAuth({ name: 'alice', domain: { name: 'Elsewhere' } }, 'alice-password'));
    const bodies = await Promise.all([unknown, wrong, otherDomain].map(async (r) => { assert.equal(r.status, 401); return r.json(); }));
    assert.deepEqual(bodies[0], bodies[1], 'an unknown user and a wrong password look the same');
    assert.deepEqual(bodies[0], bodies[2]);
    assert.match(wrong.headers.get('www-authenticate') ?? '', /Keystone uri=/);

    const escalate = await post('/auth/tokens', passwordAuth({ name: 'alice', domain: DOMAIN }, 'alice-password', { project: { id: projectB.id } }));
    assert.equal(escalate.status, 401, 'no role on the project');
    assert.equal((await post('/auth/tokens', passwordAuth({ name: 'alice', domain: DOMAIN }, 'alice-password', { project: { name: 'nope', domain: DOMAIN } }))).status, 401);
    assert.equal((await post('/auth/tokens', passwordAuth({ name: 'alice', domain: DOMAIN }, 'alice-password', { domain: { id: 'default' } }))).status, 400);

    const malformed: unknown[] = [
      {}, { auth: null }, { auth: { identity: {} } }, { auth: { identity: { methods: 'password' } } },
      { auth: { identity: { methods: ['password'] } } },
      { auth: { identity: { methods: ['password'], password: { user: { name: 'alice', password: 'alice-password' } } } } },
      { auth: { identity: { methods: ['password'], password: { user: { name: 'alice', domain: DOMAIN, password: 42 } } } } },
      { auth: { identity: { methods: ['password'], password: { user: { name: 'alice', domain: DOMAIN, password: 'x' } } }, scope: { project: { name: 'team-a' } } } },
      { auth: { identity: { methods: ['application_credential'], application_credential: { id: 'x' } } } },
      [],
    ];
    for (const body of malformed) {
      const res = await post('/auth/tokens', body);
      assert.equal(res.status, 400, `${JSON.stringify(body)} → ${res.status} ${await res.text()}`);
    }
    const badJson = await server.request('/identity/v3/auth/tokens', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"auth":', token: null });
    assert.equal(badJson.status, 400);
    assert.equal((await post('/auth/tokens', { auth: { identity: { methods: ['totp'], totp: {} } } })).status, 401);
    assert.equal((await post('/auth/tokens', { auth: { identity: { methods: ['password', 'totp'] } } })).status, 401);
  });

  it('refuses disabled users and disabled projects', async () => {
    const carol = (await created(await adminCall('POST', '/users', { user: { name: 'carol', password: 'carol-password', enabled: false } }, admin))).user;
    assert.equal((await post('/auth/tokens', passwordAuth({ id: carol.id }, 'carol-password'))).status, 401);
    const project = (await created(await adminCall('POST', '/projects', { project: { name: 'soon-disabled' } }, admin))).project;
    assert.equal((await adminCall('PUT', `/projects/${project.id}/users/${alice.id}/roles/member`, undefined, admin)).status, 204);
    const { token } = await login('alice', 'alice-password', 'soon-disabled');
    assert.equal((await adminCall('PATCH', `/projects/${project.id}`, { project: { enabled: false } }, admin)).status, 200);
    assert.equal((await server.request('/v2/images', { token })).status, 401, 'tokens of a disabled project stop working');
    assert.equal((await post('/auth/tokens', passwordAuth({ id: alice.id }, 'alice-password', { project: { id: project.id } }))).status, 401);
  });
});

describe('token method', () => {
  it('exchanges a token for one that does not outlive it, and rescopes only where the user has a role', async () => {
    const first = await login('alice', 'alice-password', 'team-a');
    const res = await post('/auth/tokens', { auth: { identity: { methods: ['token'], token: { id: first.token } } } });
    const next = (await created(res)).token;
    assert.deepEqual(next.methods, ['token']);
    assert.equal(next.project.id, projectA.id, 'keeps the scope');
    assert.deepEqual(next.audit_ids.slice(1), first.body.token.audit_ids);
    assert.ok(Date.parse(next.expires_at) <= Date.parse(first.body.token.expires_at));

    const viaHeader = await post('/auth/tokens', { auth: { identity: { methods: ['token'], token: {} }, scope: { project: { id: projectA.id } } } }, first.token);
    assert.equal(viaHeader.status, 201, 'the token may come as X-Auth-Token');
    assert.equal((await post('/auth/tokens', { auth: { identity: { methods: ['token'], token: { id: first.token } }, scope: { project: { id: projectB.id } } } })).status, 401);
  });

  it('refuses forged, truncated and static tokens with 401', async () => {
    const { token } = await login('alice', 'alice-password', 'team-a');
    for (const bad of [token.slice(0, -1), `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`, 'x'.repeat(43), TOKENS.projA]) {
      assert.equal((await post('/auth/tokens', { auth: { identity: { methods: ['token'], token: { id: bad } } } })).status, 401, bad);
      assert.equal((await server.request('/v2/images', { token: bad })).status, bad === TOKENS.projA ? 200 : 401);
    }
  });
});

describe('validate and revoke', () => {
  it('validates the caller\'s own token (GET and HEAD) and lets only admins look at others\'', async () => {
    const alices = await login('alice', 'alice-password', 'team-a');
    const bobs = await login('bob', 'bob-password', 'team-b');
    const own = await server.request('/identity/v3/auth/tokens', { token: alices.token, headers: { 'x-subject-token': alices.token } });
    assert.equal(own.status, 200);
    assert.equal(own.headers.get('x-subject-token'), alices.token);
    assert.equal((await own.json() as Doc).token.user.id, alice.id);
    const head = await server.request('/identity/v3/auth/tokens', { method: 'HEAD', token: alices.token, headers: { 'x-subject-token': alices.token } });
    assert.equal(head.status, 200);
    assert.equal((await server.request('/identity/v3/auth/tokens', { token: bobs.token, headers: { 'x-subject-token': alices.token } })).status, 403);
    assert.equal((await server.request('/identity/v3/auth/tokens', { token: admin, headers: { 'x-subject-token': alices.token } })).status, 200);
    assert.equal((await server.request('/identity/v3/auth/tokens', { headers: { 'x-subject-token': alices.token } })).status, 200, 'the static admin token too');
    assert.equal((await server.request('/identity/v3/auth/tokens', { token: alices.token, headers: { 'x-subject-token': 'forged' } })).status, 404);
    assert.equal((await server.request('/identity/v3/auth/tokens', { token: alices.token })).status, 400, 'no X-Subject-Token');
    assert.equal((await server.request('/identity/v3/auth/tokens', { token: null, headers: { 'x-subject-token': alices.token } })).status, 401);
  });

  it('revokes a token everywhere at once', async () => {
    const { token } = await login('alice', 'alice-password', 'team-a');
    assert.equal((await server.request('/v2/images', { token })).status, 200);
    const res = await server.request('/identity/v3/auth/tokens', { method: 'DELETE', token, headers: { 'x-subject-token': token } });
    assert.equal(res.status, 204);
    assert.equal((await server.request('/v2/images', { token })).status, 401);
    assert.equal((await server.request('/identity/v3/auth/tokens', { method: 'DELETE', token: admin, headers: { 'x-subject-token': token } })).status, 404);
  });

  it('revokes a user\'s tokens on a project when their role there is removed', async () => {
    const project = (await created(await adminCall('POST', '/projects', { project: { name: 'short-lived-role' } }, admin))).project;
    const path = `/projects/${project.id}/users/${bob.id}/roles/member`;
    assert.equal((await adminCall('PUT', path, undefined, admin)).status, 204);
    const { token } = await login('bob', 'bob-password', 'short-lived-role');
    assert.equal((await server.request('/v2/images', { token })).status, 200);
    assert.equal((await adminCall('DELETE', path, undefined, admin)).status, 204);
    assert.equal((await server.request('/v2/images', { token })).status, 401);
  });

  it('lists the caller\'s projects', async () => {
    const { token } = await login('alice', 'alice-password', 'team-a');
    const res = await server.request('/identity/v3/auth/projects', { token });
    const names = (await res.json() as Doc).projects.map((p: Doc) => p.name);
    assert.ok(names.includes('team-a'));
    assert.ok(!names.includes('team-b'));
  });
});

describe('admin API', () => {
  it('manages projects: create 201, duplicate 409, show, filter by name, update, delete 204, unknown 404', async () => {
    const project = (await created(await adminCall('POST', '/projects', { project: { name: 'crud', description: 'd' } }, admin))).project;
    assert.match(project.id, /^[0-9a-f]{32}$/);
    assert.equal(project.domain_id, 'default');
    assert.equal(project.links.self, `${server.url}/identity/v3/projects/${project.id}`);
    assert.equal((await adminCall('POST', '/projects', { project: { name: 'crud' } }, admin)).status, 409);
    assert.equal((await adminCall('GET', `/projects/${project.id}`, undefined, admin)).status, 200);
    const byName = await (await adminCall('GET', '/projects?name=crud', undefined, admin)).json() as Doc;
    assert.deepEqual(byName.projects.map((p: Doc) => p.id), [project.id]);
    const updated = await (await adminCall('PATCH', `/projects/${project.id}`, { project: { description: 'changed' } }, admin)).json() as Doc;
    assert.equal(updated.project.description, 'changed');
    assert.equal((await adminCall('DELETE', `/projects/${project.id}`, undefined, admin)).status, 204);
    assert.equal((await adminCall('GET', `/projects/${project.id}`, undefined, admin)).status, 404);
    assert.equal((await adminCall('DELETE', `/projects/${project.id}`, undefined, admin)).status, 404);
    assert.equal((await adminCall('POST', '/projects', { project: { name: '' } }, admin)).status, 400);
    assert.equal((await adminCall('POST', '/projects', { project: { name: 'x', domain_id: 'other' } }, admin)).status, 400);
    assert.equal((await adminCall('POST', '/projects', { nope: {} }, admin)).status, 400);
  });

  it('manages users: create 201 without exposing the password, duplicate 409, filter, update, delete', async () => {
    const res = await adminCall('POST', '/users', { user: { name: 'dave', password: 'dave-password', email: 'ignored@example.org' } }, admin);
    const user = (await created(res)).user;
    assert.equal(JSON.stringify(user).includes('dave-password'), false);
    assert.equal(user.domain_id, 'default');
    assert.equal((await adminCall('POST', '/users', { user: { name: 'dave' } }, admin)).status, 409);
    const listed = await (await adminCall('GET', '/users?name=dave', undefined, admin)).json() as Doc;
    assert.deepEqual(listed.users.map((u: Doc) => u.id), [user.id]);
    assert.equal((await adminCall('PATCH', `/users/${user.id}`, { user: { password: 'new-dave-password' } }, admin)).status, 200);
    assert.equal((await post('/auth/tokens', passwordAuth({ id: user.id }, 'dave-password'))).status, 401);
    assert.equal((await post('/auth/tokens', passwordAuth({ id: user.id }, 'new-dave-password'))).status, 201);
    assert.equal((await adminCall('DELETE', `/users/${user.id}`, undefined, admin)).status, 204);
    assert.equal((await adminCall('GET', `/users/${user.id}`, undefined, admin)).status, 404);
    assert.equal((await adminCall('POST', '/users', { user: { name: 'bad', password: 7 } }, admin)).status, 400);
  });

  it('lists the three roles, checks, lists and removes assignments', async () => {
    const roles = await (await adminCall('GET', '/roles', undefined, admin)).json() as Doc;
    assert.deepEqual(roles.roles.map((r: Doc) => r.name).sort(), ['admin', 'member', 'reader']);
    assert.deepEqual((await (await adminCall('GET', '/roles?name=member', undefined, admin)).json() as Doc).roles.map((r: Doc) => r.id), ['member']);
    assert.equal((await adminCall('GET', '/roles/owner', undefined, admin)).status, 404);

    const check = `/projects/${projectA.id}/users/${alice.id}/roles`;
    assert.equal((await adminCall('HEAD', `${check}/member`, undefined, admin)).status, 204);
    assert.equal((await adminCall('HEAD', `${check}/admin`, undefined, admin)).status, 404);
    assert.equal((await adminCall('PUT', `${check}/owner`, undefined, admin)).status, 404, 'unknown role');
    assert.equal((await adminCall('PUT', `/projects/${projectA.id}/users/${'0'.repeat(32)}/roles/member`, undefined, admin)).status, 404, 'unknown user');
    assert.deepEqual((await (await adminCall('GET', check, undefined, admin)).json() as Doc).roles.map((r: Doc) => r.id), ['member']);

    const direct = await (await adminCall('GET', `/role_assignments?user.id=${alice.id}&scope.project.id=${projectA.id}`, undefined, admin)).json() as Doc;
    assert.deepEqual(direct.role_assignments, [{
      role: { id: 'member' }, user: { id: alice.id }, scope: { project: { id: projectA.id } },
      links: { assignment: `${server.url}/identity/v3/projects/${projectA.id}/users/${alice.id}/roles/member` },
    }]);
    const effective = await (await adminCall('GET', `/role_assignments?user.id=${alice.id}&scope.project.id=${projectA.id}&effective&include_names=true`, undefined, admin)).json() as Doc;
    assert.deepEqual(effective.role_assignments.map((a: Doc) => a.role.name).sort(), ['member', 'reader']);
    assert.equal(effective.role_assignments[0].user.name, 'alice');
    assert.equal(effective.role_assignments[0].scope.project.name, 'team-a');
  });

  it('refuses non-admins with 403 and anonymous callers with 401', async () => {
    const { token } = await login('alice', 'alice-password', 'team-a');
    for (const [method, path] of [['GET', '/users'], ['POST', '/projects'], ['GET', '/roles'], ['PUT', `/projects/${projectA.id}/users/${alice.id}/roles/admin`], ['GET', '/role_assignments']]) {
      assert.equal((await adminCall(method!, path!, method === 'POST' ? { project: { name: 'sneaky' } } : undefined, token)).status, 403, `${method} ${path}`);
    }
    assert.equal((await adminCall('GET', '/users', undefined, TOKENS.projA)).status, 403, 'a static member token');
    assert.equal((await server.request('/identity/v3/users', { token: null })).status, 401);
    assert.equal((await adminCall('GET', `/users/${alice.id}`, undefined, token)).status, 200, 'a user reads themself');
    assert.equal((await adminCall('GET', `/users/${bob.id}`, undefined, token)).status, 403);
  });

  it('serves the one domain', async () => {
    assert.equal((await (await adminCall('GET', '/domains/default', undefined, admin)).json() as Doc).domain.name, 'Default');
    assert.equal((await adminCall('GET', '/domains/other', undefined, admin)).status, 404);
  });
});

describe('application credentials', () => {
  it('creates one for the caller\'s project, shows its secret once, and logs in with id or name', async () => {
    const { token } = await login('alice', 'alice-password', 'team-a');
    const res = await adminCall('POST', `/users/${alice.id}/application_credentials`, { application_credential: { name: 'ci', description: 'for CI', roles: [{ name: 'reader' }] } }, token);
    const credential = (await created(res)).application_credential;
    assert.equal(credential.project_id, projectA.id);
    assert.deepEqual(credential.roles.map((r: Doc) => r.name), ['reader']);
    assert.equal(typeof credential.secret, 'string');
    const shown = (await (await adminCall('GET', `/users/${alice.id}/application_credentials/${credential.id}`, undefined, token)).json() as Doc).application_credential;
    assert.equal(shown.secret, undefined);

    const byId = await created(await post('/auth/tokens', { auth: { identity: { methods: ['application_credential'], application_credential: { id: credential.id, secret: credential.secret } } } }));
    assert.deepEqual(byId.token.application_credential, { id: credential.id, name: 'ci', restricted: true });
    assert.deepEqual(byId.token.roles.map((r: Doc) => r.name), ['reader']);
    assert.equal(byId.token.project.id, projectA.id);
    const byName = await post('/auth/tokens', { auth: { identity: { methods: ['application_credential'], application_credential: { name: 'ci', user: { name: 'alice', domain: DOMAIN }, secret: credential.secret } } } });
    assert.equal(byName.status, 201);
    const credToken = byName.headers.get('x-subject-token')!;
    assert.equal((await server.request('/v2/images', { ...json({ name: 'nope' }), token: credToken })).status, 403, 'reader only');

    assert.equal((await post('/auth/tokens', { auth: { identity: { methods: ['application_credential'], application_credential: { id: credential.id, secret: 'wrong' } } } })).status, 401);
    assert.equal((await post('/auth/tokens', { auth: { identity: { methods: ['application_credential'], application_credential: { id: credential.id, secret: credential.secret } }, scope: { project: { id: projectB.id } } } })).status, 401);
    assert.equal((await adminCall('POST', `/users/${alice.id}/application_credentials`, { application_credential: { name: 'nested' } }, credToken)).status, 403, 'no credential from a credential');

    const list = await (await adminCall('GET', `/users/${alice.id}/application_credentials`, undefined, token)).json() as Doc;
    assert.deepEqual(list.application_credentials.map((c: Doc) => c.name), ['ci']);
    assert.equal((await adminCall('DELETE', `/users/${alice.id}/application_credentials/${credential.id}`, undefined, token)).status, 204);
    assert.equal((await server.request('/v2/images', { token: credToken })).status, 401, 'its tokens are revoked');
    assert.equal((await post('/auth/tokens', { auth: { identity: { methods: ['application_credential'], application_credential: { id: credential.id, secret: credential.secret } } } })).status, 401);
  });

  it('refuses roles the caller lacks, duplicates, other users\' credentials and static tokens', async () => {
    const { token } = await login('alice', 'alice-password', 'team-a');
    const path = `/users/${alice.id}/application_credentials`;
    assert.equal((await adminCall('POST', path, { application_credential: { name: 'up', roles: [{ name: 'admin' }] } }, token)).status, 403);
    assert.equal((await adminCall('POST', path, { application_credential: { name: 'bad', roles: [{ name: 'owner' }] } }, token)).status, 400);
    assert.equal((await adminCall('POST', path, { application_credential: { name: 'past', expires_at: '2001-01-01T00:00:00' } }, token)).status, 400);
    const made = await created(await adminCall('POST', path, { application_credential: { name: 'twice', secret: 'chosen-secret' } }, token));
    assert.equal(made.application_credential.secret, 'chosen-secret');
    assert.equal((await adminCall('POST', path, { application_credential: { name: 'twice' } }, token)).status, 409);
    const bobs = (await login('bob', 'bob-password', 'team-b')).token;
    assert.equal((await adminCall('GET', path, undefined, bobs)).status, 403);
    assert.equal((await adminCall('POST', path, { application_credential: { name: 'for-alice' } }, bobs)).status, 403);
    assert.equal((await adminCall('DELETE', `${path}/${made.application_credential.id}`, undefined, bobs)).status, 403);
    assert.equal((await adminCall('GET', `${path}/${'0'.repeat(32)}`, undefined, token)).status, 404);
    assert.equal((await adminCall('POST', path, { application_credential: { name: 'static' } })).status, 400, 'the static admin token is no user');
  });
});
