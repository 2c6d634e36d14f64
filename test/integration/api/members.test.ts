/**
 * Image members against a real server: Glance's sharing semantics for owners, members, readers
 * and admins, and how memberships change what a project sees.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ADMIN_TOKEN, json, patch, startTestServer, TOKENS, upload, type TestServer } from '../../support/server.js';

let server: TestServer;
before(async () => { server = await startTestServer({ image_member_quota: 3 }); });
after(async () => { await server?.close(); });

const put = (body: unknown): RequestInit => ({ method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

async function sharedImage(extra: Record<string, unknown> = {}): Promise<string> {
  const res = await server.request('/v2/images', { ...json({ name: 'shared-one', disk_format: 'raw', container_format: 'bare', visibility: 'shared', ...extra }), token: TOKENS.projA });
  assert.equal(res.status, 201, await res.clone().text());
  return ((await res.json()) as { id: string }).id;
}

async function share(id: string, project: string, token: string = TOKENS.projA): Promise<Response> {
  return server.request(`/v2/images/${id}/members`, { ...json({ member: project }), token });
}

async function setStatus(id: string, project: string, status: string, token: string): Promise<Response> {
  return server.request(`/v2/images/${id}/members/${project}`, { ...put({ status }), token });
}

async function listedIds(token: string, query = ''): Promise<string[]> {
  const res = await server.request(`/v2/images${query}`, { token });
  assert.equal(res.status, 200);
  return ((await res.json()) as { images: Array<{ id: string }> }).images.map((i) => i.id);
}

const status = async (res: Response | Promise<Response>): Promise<number> => (await res).status;

describe('adding members', () => {
  it('lets the owner add a project, which starts pending, answered 200 with Glance fields', async () => {
    const id = await sharedImage();
    const res = await share(id, 'project-b');
    assert.equal(res.status, 200);
    const member = await res.json() as Record<string, string>;
    assert.deepEqual(Object.keys(member).sort(), ['created_at', 'image_id', 'member_id', 'schema', 'status', 'updated_at']);
    assert.equal(member.image_id, id);
    assert.equal(member.member_id, 'project-b');
    assert.equal(member.status, 'pending');
    assert.equal(member.schema, '/v2/schemas/member');
    assert.match(member.created_at!, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
  });

  it('refuses members on images that are not shared with 403', async () => {
    for (const visibility of ['private', 'community']) {
      const id = await sharedImage({ visibility });
      const res = await share(id, 'project-b');
      assert.equal(res.status, 403, visibility);
      assert.match(((await res.json()) as { error: { message: string } }).error.message, /Only shared images have members/);
    }
  });

  it('refuses a duplicate with 409 and a member beyond image_member_quota with 413', async () => {
    const id = await sharedImage();
    assert.equal(await status(share(id, 'project-b')), 200);
    assert.equal(await status(share(id, 'project-b')), 409);
    assert.equal(await status(share(id, 'project-c')), 200);
    assert.equal(await status(share(id, 'project-d')), 200);
    const over = await share(id, 'project-e');
    assert.equal(over.status, 413);
    assert.match(((await over.json()) as { error: { message: string } }).error.message, /Attempted: 4, Maximum: 3/);
  });

  it('answers malformed bodies with 400', async () => {
    const id = await sharedImage();
    for (const body of [{}, { member: '' }, { member: 7 }, [], { member: 'x'.repeat(256) }]) {
      assert.equal(await status(server.request(`/v2/images/${id}/members`, { ...json(body), token: TOKENS.projA })), 400, JSON.stringify(body));
    }
  });

  it('lets only members of the owner project (and admins) add: readers 403, others 404', async () => {
    const id = await sharedImage();
    assert.equal(await status(share(id, 'project-b', TOKENS.projAReader)), 403);
    assert.equal(await status(share(id, 'project-c', TOKENS.projB)), 404, 'project b cannot see the image');
    assert.equal(await status(share(id, 'project-c', TOKENS.projC)), 404);
    assert.equal(await status(share(id, 'project-c', ADMIN_TOKEN)), 200);
  });

  it('answers unknown images with 404', async () => {
    assert.equal(await status(share('00000000-0000-4000-8000-00000000dead', 'project-b')), 404);
    assert.equal(await status(share('not-a-uuid', 'project-b')), 404);
  });
});

describe('a pending member', () => {
  let id: string;
  before(async () => {
    id = await sharedImage();
    assert.equal(await status(share(id, 'project-b')), 200);
    assert.equal(await status(share(id, 'project-c')), 200);
  });

  it('can show the image by id but does not see it in the default list', async () => {
    assert.equal(await status(server.request(`/v2/images/${id}`, { token: TOKENS.projB })), 200);
    assert.ok(!(await listedIds(TOKENS.projB)).includes(id));
    assert.ok((await listedIds(TOKENS.projB, '?member_status=pending')).includes(id));
    assert.ok((await listedIds(TOKENS.projB, '?member_status=all')).includes(id));
    assert.ok(!(await listedIds(TOKENS.projB, '?member_status=accepted')).includes(id));
  });

  it('sees only its own membership; the owner and its readers see all', async () => {
    const mine = await (await server.request(`/v2/images/${id}/members`, { token: TOKENS.projB })).json() as { members: Array<{ member_id: string }>; schema: string };
    assert.deepEqual(mine.members.map((m) => m.member_id), ['project-b']);
    assert.equal(mine.schema, '/v2/schemas/members');
    for (const token of [TOKENS.projA, TOKENS.projAReader]) {
      const all = await (await server.request(`/v2/images/${id}/members`, { token })).json() as { members: Array<{ member_id: string }> };
      assert.deepEqual(all.members.map((m) => m.member_id).sort(), ['project-b', 'project-c']);
    }
    assert.equal(await status(server.request(`/v2/images/${id}/members/project-b`, { token: TOKENS.projB })), 200);
    assert.equal(await status(server.request(`/v2/images/${id}/members/project-c`, { token: TOKENS.projB })), 404, "another member's entry");
    assert.equal(await status(server.request(`/v2/images/${id}/members/project-c`, { token: TOKENS.projA })), 200);
    assert.equal(await status(server.request(`/v2/images/${id}/members/project-x`, { token: TOKENS.projA })), 404);
  });

  it('cannot change or share the image (403), nor manage members', async () => {
    assert.equal(await status(server.request(`/v2/images/${id}`, { ...patch([{ op: 'replace', path: '/name', value: 'mine' }]), token: TOKENS.projB })), 403);
    assert.equal(await status(server.request(`/v2/images/${id}`, { method: 'DELETE', token: TOKENS.projB })), 403);
    assert.equal(await status(server.request(`/v2/images/${id}/tags/x`, { method: 'PUT', token: TOKENS.projB })), 403);
    assert.equal(await status(share(id, 'project-d', TOKENS.projB)), 403);
    assert.equal(await status(server.request(`/v2/images/${id}/members/project-c`, { method: 'DELETE', token: TOKENS.projB })), 403);
  });

  it('cannot decide on another member\'s membership (404)', async () => {
    assert.equal(await status(setStatus(id, 'project-c', 'accepted', TOKENS.projB)), 404);
  });
});

describe('member status', () => {
  it('is changed by the member only: the owner gets 403', async () => {
    const id = await sharedImage();
    await share(id, 'project-b');
    assert.equal(await status(setStatus(id, 'project-b', 'accepted', TOKENS.projA)), 403);
    const res = await setStatus(id, 'project-b', 'accepted', TOKENS.projB);
    assert.equal(res.status, 200);
    const member = await res.json() as Record<string, string>;
    assert.equal(member.status, 'accepted');
    assert.equal(member.member_id, 'project-b');
    assert.equal(member.schema, '/v2/schemas/member');
  });

  it('must be pending, accepted or rejected (400)', async () => {
    const id = await sharedImage();
    await share(id, 'project-b');
    assert.equal(await status(setStatus(id, 'project-b', 'maybe', TOKENS.projB)), 400);
    assert.equal(await status(server.request(`/v2/images/${id}/members/project-b`, { ...put({}), token: TOKENS.projB })), 400);
    assert.equal(await status(server.request(`/v2/images/${id}/members/project-b`, { ...put(['accepted']), token: TOKENS.projB })), 400);
  });

  it('can be set by an admin', async () => {
    const id = await sharedImage();
    await share(id, 'project-b');
    assert.equal(await status(server.request(`/v2/images/${id}/members/project-b`, put({ status: 'rejected' }))), 200);
  });

  it('needs the member role in the member project: its readers may look but not decide or download', async () => {
    const id = await sharedImage();
    await share(id, 'project-b');
    assert.equal(await status(server.request(`/v2/images/${id}`, { token: TOKENS.projBReader })), 200);
    assert.equal(await status(setStatus(id, 'project-b', 'accepted', TOKENS.projBReader)), 403);
    assert.equal(await status(server.request(`/v2/images/${id}/file`, { token: TOKENS.projBReader })), 403);
  });
});

describe('an accepted member', () => {
  let id: string;
  before(async () => {
    id = await sharedImage();
    assert.equal(await status(server.request(`/v2/images/${id}/file`, { ...upload('shared bytes'), token: TOKENS.projA })), 204);
    await share(id, 'project-b');
    assert.equal(await status(setStatus(id, 'project-b', 'accepted', TOKENS.projB)), 200);
  });

  it('sees the image in its default list and by id, and downloads it', async () => {
    assert.ok((await listedIds(TOKENS.projB)).includes(id));
    assert.equal(await status(server.request(`/v2/images/${id}`, { token: TOKENS.projB })), 200);
    const res = await server.request(`/v2/images/${id}/file`, { token: TOKENS.projB });
    assert.equal(res.status, 200);
    assert.equal(await res.text(), 'shared bytes');
    assert.ok(!(await listedIds(TOKENS.projC)).includes(id), 'not shared with project c');
    assert.equal(await status(server.request(`/v2/images/${id}`, { token: TOKENS.projC })), 404);
  });

  it('may not modify it or upload to it', async () => {
    assert.equal(await status(server.request(`/v2/images/${id}`, { ...patch([{ op: 'replace', path: '/name', value: 'x' }]), token: TOKENS.projB })), 403);
    assert.equal(await status(server.request(`/v2/images/${id}/file`, { ...upload('x'), token: TOKENS.projB })), 403);
  });

  it('can page past the shared image with it as the marker', async () => {
    assert.equal(await status(server.request(`/v2/images?marker=${id}`, { token: TOKENS.projB })), 200);
    assert.equal(await status(server.request(`/v2/images?marker=${id}`, { token: TOKENS.projC })), 400);
  });
});

describe('a rejected member', () => {
  it('no longer lists the image, but may still show it by id and change its mind', async () => {
    const id = await sharedImage();
    await share(id, 'project-b');
    assert.equal(await status(setStatus(id, 'project-b', 'rejected', TOKENS.projB)), 200);
    assert.ok(!(await listedIds(TOKENS.projB)).includes(id));
    assert.ok((await listedIds(TOKENS.projB, '?member_status=rejected')).includes(id));
    assert.equal(await status(server.request(`/v2/images/${id}`, { token: TOKENS.projB })), 200);
    assert.equal(await status(setStatus(id, 'project-b', 'accepted', TOKENS.projB)), 200);
    assert.ok((await listedIds(TOKENS.projB)).includes(id));
  });
});

describe('visibility changes', () => {
  it('keep the members of an image made private, which no longer grant access until it is shared again', async () => {
    const id = await sharedImage();
    await share(id, 'project-b');
    await setStatus(id, 'project-b', 'accepted', TOKENS.projB);
    const toPrivate = await server.request(`/v2/images/${id}`, { ...patch([{ op: 'replace', path: '/visibility', value: 'private' }]), token: TOKENS.projA });
    assert.equal(toPrivate.status, 200);
    assert.equal(await status(server.request(`/v2/images/${id}`, { token: TOKENS.projB })), 404);
    assert.ok(!(await listedIds(TOKENS.projB)).includes(id));
    assert.equal(await status(server.request(`/v2/images/${id}/members`, { token: TOKENS.projA })), 403, 'only shared images have members');
    await server.request(`/v2/images/${id}`, { ...patch([{ op: 'replace', path: '/visibility', value: 'shared' }]), token: TOKENS.projA });
    assert.ok((await listedIds(TOKENS.projB)).includes(id), 'the accepted membership was kept');
  });
});

describe('removing members', () => {
  it('is for the owner (204); the removed project loses the image; a second removal is 404', async () => {
    const id = await sharedImage();
    await share(id, 'project-b');
    await setStatus(id, 'project-b', 'accepted', TOKENS.projB);
    assert.equal(await status(server.request(`/v2/images/${id}/members/project-b`, { method: 'DELETE', token: TOKENS.projB })), 403);
    assert.equal(await status(server.request(`/v2/images/${id}/members/project-b`, { method: 'DELETE', token: TOKENS.projAReader })), 403);
    assert.equal(await status(server.request(`/v2/images/${id}/members/project-b`, { method: 'DELETE', token: TOKENS.projA })), 204);
    assert.equal(await status(server.request(`/v2/images/${id}`, { token: TOKENS.projB })), 404);
    assert.equal(await status(server.request(`/v2/images/${id}/members/project-b`, { method: 'DELETE', token: TOKENS.projA })), 404);
  });
});

describe('admins', () => {
  it('see every member of any shared image', async () => {
    const id = await sharedImage();
    await share(id, 'project-b');
    const res = await server.request(`/v2/images/${id}/members`);
    assert.equal(res.status, 200);
    assert.deepEqual(((await res.json()) as { members: Array<{ member_id: string }> }).members.map((m) => m.member_id), ['project-b']);
  });
});
