/**
 * The world the authorisation matrix runs in: a real server, a token for every caller of
 * oracle.ts (static project tokens, plus tokens issued by Imago's identity service that are
 * then expired or revoked), and fixture images of every visibility and status, owned by
 * project-a, with an accepted, a pending and a rejected member.
 */
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { ADMIN_TOKEN, json, patch, startTestServer, TOKENS, upload, type TestServer } from '../support/server.js';
import type { Caller, GlobalEndpoint, ImageEndpoint, ImageKind, Outcome } from './oracle.js';

const MEMBER_TOKENS = {
  accepted: 'project-acc-member-token',
  pending: 'project-pend-member-token',
  rejected: 'project-rej-member-token',
} as const;
const MEMBER_PROJECTS = { accepted: 'project-acc', pending: 'project-pend', rejected: 'project-rej' } as const;
const BOOTSTRAP_PASSWORD = 'matrix-admin-password';

export interface World {
  server: TestServer;
  tokens: Record<Caller, string | null>;
  close(): Promise<void>;
}

export async function createWorld(): Promise<World> {
  const staticTokens = [
    `${TOKENS.projA}:project-a`, `${TOKENS.projAReader}:project-a:reader`, `${TOKENS.projB}:project-b`,
    ...Object.entries(MEMBER_TOKENS).map(([status, token]) => `${token}:${MEMBER_PROJECTS[status as keyof typeof MEMBER_PROJECTS]}`),
  ].join(',');
  const server = await startTestServer({ tokens: staticTokens, bootstrap_password: BOOTSTRAP_PASSWORD });
  try {
    const { expired, revoked } = await deadTokens(server);
    return {
      server,
      tokens: {
        'owner-member': TOKENS.projA,
        'owner-reader': TOKENS.projAReader,
        'other-member': TOKENS.projB,
        'accepted-member': MEMBER_TOKENS.accepted,
        'pending-member': MEMBER_TOKENS.pending,
        'rejected-member': MEMBER_TOKENS.rejected,
        admin: ADMIN_TOKEN,
        'no-token': null,
        'expired-token': expired,
        'revoked-token': revoked,
      },
      close: () => server.close(),
    };
  } catch (err) {
    await server.close();
    throw err;
  }
}

/**
 * Two admin tokens of the bootstrap admin that no longer work: one issued from an application
 * credential that expires two seconds later (so the token does too), one revoked.
 */
async function deadTokens(server: TestServer): Promise<{ expired: string; revoked: string }> {
  const login = async (identity: unknown): Promise<{ token: string; body: any }> => {
    const res = await fetch(`${server.url}/identity/v3/auth/tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ auth: { identity, scope: { project: { name: 'admin', domain: { id: 'default' } } } } }),
    });
    assert.equal(res.status, 201, await res.clone().text());
    return { token: res.headers.get('x-subject-token')!, body: await res.json() };
  };
  const password = { methods: ['password'], password: { user: { name: 'admin', domain: { id: 'default' }, password: BOOTSTRAP_PASSWORD } } };
  const admin = await login(password);
  const userId = admin.body.token.user.id as string;
  const expiresAt = new Date(Date.now() + 2000);
  const created = await fetch(`${server.url}/identity/v3/users/${userId}/application_credentials`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-auth-token': admin.token },
    body: JSON.stringify({ application_credential: { name: 'short-lived', expires_at: expiresAt.toISOString() } }),
  });
  assert.equal(created.status, 201, await created.clone().text());
  const credential = (await created.json() as any).application_credential;
  const { token: expired } = await login({ methods: ['application_credential'], application_credential: { id: credential.id, secret: credential.secret } });

  const { token: revoked } = await login(password);
  const revoke = await fetch(`${server.url}/identity/v3/auth/tokens`, { method: 'DELETE', headers: { 'x-auth-token': admin.token, 'x-subject-token': revoked } });
  assert.equal(revoke.status, 204);

  await sleep(Math.max(0, expiresAt.getTime() - Date.now() + 100));
  return { expired, revoked };
}

/** A fresh fixture image of the given kind; returns its id. */
export async function createImage(server: TestServer, kind: ImageKind): Promise<string> {
  const ok = async (res: Promise<Response>, status: number) => {
    const r = await res;
    assert.equal(r.status, status, await r.clone().text());
    return r;
  };
  const created = await ok(server.request('/v2/images', { ...json({ name: `${kind.visibility}-${kind.status}`, disk_format: 'raw', container_format: 'bare', visibility: 'shared', tags: ['blue'] }), token: TOKENS.projA }), 201);
  const id = (await created.json() as { id: string }).id;
  for (const project of Object.values(MEMBER_PROJECTS)) {
    await ok(server.request(`/v2/images/${id}/members`, { ...json({ member: project }), token: TOKENS.projA }), 200);
  }
  for (const status of ['accepted', 'rejected'] as const) {
    await ok(server.request(`/v2/images/${id}/members/${MEMBER_PROJECTS[status]}`, { ...json({ status }), method: 'PUT', token: MEMBER_TOKENS[status] }), 200);
  }
  if (kind.visibility !== 'shared') {
    await ok(server.request(`/v2/images/${id}`, patch([{ op: 'replace', path: '/visibility', value: kind.visibility }])), 200);
  }
  if (kind.status !== 'queued') await ok(server.request(`/v2/images/${id}/file`, { ...upload('matrix image data'), token: TOKENS.projA }), 204);
  if (kind.status === 'deactivated') await ok(server.request(`/v2/images/${id}/actions/deactivate`, { method: 'POST' }), 204);
  return id;
}

/** Sends one image endpoint's request as the caller; returns what the matrix records. */
export async function callImageEndpoint(world: World, endpoint: ImageEndpoint, caller: Caller, id: string): Promise<Outcome> {
  const token = world.tokens[caller];
  const send = async (path: string, init: RequestInit = {}) => (await world.server.request(path, { ...init, token })).status;
  const image = `/v2/images/${id}`;
  const ownMembership = caller === 'accepted-member' || caller === 'pending-member' || caller === 'rejected-member'
    ? MEMBER_PROJECTS[caller.slice(0, caller.indexOf('-')) as keyof typeof MEMBER_PROJECTS]
    : MEMBER_PROJECTS.accepted;
  switch (endpoint) {
    case 'show': return send(image);
    case 'listed': {
      const res = await world.server.request('/v2/images?limit=1000', { token });
      if (res.status !== 200) return 'not listed';
      const body = await res.json() as { images: Array<{ id: string }> };
      return body.images.some((i) => i.id === id) ? 'listed' : 'not listed';
    }
    case 'update': return send(image, patch([{ op: 'replace', path: '/name', value: 'renamed' }]));
    case 'delete': return send(image, { method: 'DELETE' });
    case 'add-tag': return send(`${image}/tags/red`, { method: 'PUT' });
    case 'remove-tag': return send(`${image}/tags/blue`, { method: 'DELETE' });
    case 'deactivate': return send(`${image}/actions/deactivate`, { method: 'POST' });
    case 'reactivate': return send(`${image}/actions/reactivate`, { method: 'POST' });
    case 'upload': return send(`${image}/file`, upload('new data'));
    case 'download': return send(`${image}/file`);
    case 'list-members': return send(`${image}/members`);
    case 'add-member': return send(`${image}/members`, json({ member: 'project-new' }));
    case 'show-member': return send(`${image}/members/${MEMBER_PROJECTS.accepted}`);
    case 'update-member': return send(`${image}/members/${ownMembership}`, { ...json({ status: 'accepted' }), method: 'PUT' });
    case 'remove-member': return send(`${image}/members/${MEMBER_PROJECTS.accepted}`, { method: 'DELETE' });
    case 'ancestry': return send(`/imago/v1/images/${id}/ancestry`);
    case 'deprecate': return send(`/imago/v1/images/${id}/deprecation`, { ...json({ state: 'deprecated' }), method: 'PUT' });
  }
}

export async function callGlobalEndpoint(world: World, endpoint: GlobalEndpoint, caller: Caller): Promise<Outcome> {
  const token = world.tokens[caller];
  const send = async (path: string, init: RequestInit = {}) => (await world.server.request(path, { ...init, token })).status;
  switch (endpoint) {
    case 'list-images': return send('/v2/images');
    case 'create-image': return send('/v2/images', json({ name: 'created-by-matrix' }));
    case 'usage': return send('/v2/info/usage');
    case 'project-quotas': return send('/v2/quotas/project-a');
    case 'image-schema': return send('/v2/schemas/image');
    case 'list-namespaces': return send('/v2/metadefs/namespaces');
    case 'create-namespace': return send('/v2/metadefs/namespaces', json({ namespace: `Matrix::${caller}` }));
    case 'list-families': return send('/imago/v1/families');
    case 'required-properties': return send('/imago/v1/required-properties');
    case 'set-required-properties': return send(`/imago/v1/required-properties/family/matrix-${caller}`, { ...json({ properties: ['os_distro'] }), method: 'PUT' });
    case 'identity-users': return send('/identity/v3/users');
  }
}
