/** ImageRepository.list: which images each viewer sees, by Glance's rules — on every dialect. */
import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { ImageRepository } from '../../../src/db/repositories/image.repository.js';
import type { Image, MemberStatus, Visibility } from '../../../src/domain/image.js';
import type { ImageListQuery, Viewer } from '../../../src/domain/image-query.js';
import { forEachDialect } from '../../support/databases.js';
import { at, listQuery, makeImage } from './image-fixtures.js';

/** Image names say owner and visibility; B's shared images carry project A's member status. */
const IMAGES: Image[] = [
  ['a-public', 'a', 'public'], ['a-private', 'a', 'private'], ['a-shared', 'a', 'shared'], ['a-community', 'a', 'community'],
  ['b-public', 'b', 'public'], ['b-private', 'b', 'private'], ['b-community', 'b', 'community'],
  ['b-shared-accepted', 'b', 'shared'], ['b-shared-pending', 'b', 'shared'], ['b-shared-rejected', 'b', 'shared'],
  ['b-shared-not-member', 'b', 'shared'], ['c-shared-to-b', 'c', 'shared'],
  ['ownerless-public', null, 'public'], ['ownerless-private', null, 'private'],
  ['a-public-deleted', 'a', 'public'], ['a-private-pending-delete', 'a', 'private'],
].map(([name, owner, visibility], i) => makeImage({
  name, owner, visibility: visibility as Visibility, createdAt: at(i), updatedAt: at(i),
  status: name === 'a-private-pending-delete' ? 'pending_delete' : 'active',
}));

const MEMBERS: Array<[image: string, member: string, status: MemberStatus]> = [
  ['b-shared-accepted', 'a', 'accepted'], ['b-shared-pending', 'a', 'pending'], ['b-shared-rejected', 'a', 'rejected'],
  ['c-shared-to-b', 'b', 'accepted'],
  // Membership of a non-shared image grants nothing.
  ['b-private', 'a', 'accepted'],
];

const byName = (name: string) => IMAGES.find((i) => i.name === name)!;

const A: Viewer = { isAdmin: false, projectId: 'a' };
const B: Viewer = { isAdmin: false, projectId: 'b' };
const NOBODY: Viewer = { isAdmin: false, projectId: null };
const ADMIN_A: Viewer = { isAdmin: true, projectId: 'a' };
const ADMIN_NO_PROJECT: Viewer = { isAdmin: true, projectId: null };

const ALL_LIVE = IMAGES.map((i) => i.name!).filter((n) => !n.includes('delete'));
const except = (...names: string[]) => ALL_LIVE.filter((n) => !names.includes(n));
const A_OWNED = ['a-public', 'a-private', 'a-shared', 'a-community'];
const PUBLIC = ['a-public', 'b-public', 'ownerless-public'];
const COMMUNITY = ['a-community', 'b-community'];
const SHARED = ['a-shared', 'b-shared-accepted', 'b-shared-pending', 'b-shared-rejected', 'b-shared-not-member', 'c-shared-to-b'];
const PRIVATE = ['a-private', 'b-private', 'ownerless-private'];

type Case = [viewer: Viewer, visibility: ImageListQuery['visibility'], memberStatus: ImageListQuery['memberStatus'], expected: string[]];

const CASES: Record<string, Case> = {
  'owner, default: public + owned (any visibility) + accepted shared': [A, undefined, undefined, [...A_OWNED, 'b-public', 'ownerless-public', 'b-shared-accepted']],
  'owner, default with member_status pending': [A, undefined, 'pending', [...A_OWNED, 'b-public', 'ownerless-public', 'b-shared-pending']],
  'owner, default with member_status rejected': [A, undefined, 'rejected', [...A_OWNED, 'b-public', 'ownerless-public', 'b-shared-rejected']],
  'owner, default with member_status all': [A, undefined, 'all', [...A_OWNED, 'b-public', 'ownerless-public', 'b-shared-accepted', 'b-shared-pending', 'b-shared-rejected']],
  'owner, all: public + community + owned + accepted shared': [A, 'all', undefined, [...A_OWNED, 'b-public', 'ownerless-public', 'b-community', 'b-shared-accepted']],
  'owner, all with member_status all': [A, 'all', 'all', [...A_OWNED, 'b-public', 'ownerless-public', 'b-community', 'b-shared-accepted', 'b-shared-pending', 'b-shared-rejected']],
  'owner, public': [A, 'public', undefined, PUBLIC],
  'owner, community: every community image': [A, 'community', undefined, COMMUNITY],
  'owner, private: only its own': [A, 'private', undefined, ['a-private']],
  'owner, shared: own shared + accepted membership': [A, 'shared', undefined, ['a-shared', 'b-shared-accepted']],
  'owner, shared with member_status pending': [A, 'shared', 'pending', ['a-shared', 'b-shared-pending']],
  'owner, shared with member_status all': [A, 'shared', 'all', ['a-shared', 'b-shared-accepted', 'b-shared-pending', 'b-shared-rejected']],
  'other project, default': [B, undefined, undefined, ['b-public', 'b-private', 'b-community', 'b-shared-accepted', 'b-shared-pending', 'b-shared-rejected', 'b-shared-not-member', 'a-public', 'ownerless-public', 'c-shared-to-b']],
  'other project, private': [B, 'private', undefined, ['b-private']],
  'project-less, default: public only': [NOBODY, undefined, undefined, PUBLIC],
  'project-less, all: public and community': [NOBODY, 'all', undefined, [...PUBLIC, ...COMMUNITY]],
  'project-less, community': [NOBODY, 'community', undefined, COMMUNITY],
  'project-less, private: nothing': [NOBODY, 'private', undefined, []],
  'project-less, shared: nothing': [NOBODY, 'shared', 'all', []],
  'admin, default: everything but other projects\' community images': [ADMIN_A, undefined, undefined, except('b-community')],
  'admin, all: everything': [ADMIN_A, 'all', undefined, ALL_LIVE],
  'admin, community': [ADMIN_A, 'community', undefined, COMMUNITY],
  'admin, shared: every shared image, member or not': [ADMIN_A, 'shared', undefined, SHARED],
  'admin, private: every private image': [ADMIN_A, 'private', undefined, PRIVATE],
  'admin, public': [ADMIN_A, 'public', undefined, PUBLIC],
  'project-less admin, default: everything but community images': [ADMIN_NO_PROJECT, undefined, undefined, except(...COMMUNITY)],
};

forEachDialect((_dialect, catalog) => {
  const repo = () => new ImageRepository(catalog().db);

  before(async () => {
    for (const image of IMAGES) await repo().create(image);
    await repo().markDeleted(byName('a-public-deleted').id, at(100));
    await catalog().db.insertInto('image_members')
      .values(MEMBERS.map(([image, member, status]) => ({ image_id: byName(image).id, member, status, created_at: 0, updated_at: 0 })))
      .execute();
  });

  for (const [title, [viewer, visibility, memberStatus, expected]] of Object.entries(CASES)) {
    it(title, async () => {
      const seen = (await repo().list(listQuery({ viewer, visibility, memberStatus }))).map((i) => i.name!);
      assert.deepEqual(seen.sort(), [...expected].sort());
    });
  }

  it('applies filters within what the viewer may see', async () => {
    const seen = await repo().list({ ...listQuery({ viewer: A }), visibility: undefined, filters: [{ field: 'owner', op: 'eq', value: 'b' }] });
    assert.deepEqual(seen.map((i) => i.name).sort(), ['b-public', 'b-shared-accepted']);
  });
});
