/** MemberRepository: memberships of images, their status and the member quota — on every dialect. */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { ImageRepository } from '../../../src/db/repositories/image.repository.js';
import { MemberRepository } from '../../../src/db/repositories/member.repository.js';
import type { ImageMember } from '../../../src/domain/image-member.js';
import { forEachDialect } from '../../support/databases.js';
import { at, makeImage } from './image-fixtures.js';

forEachDialect((_dialect, catalog) => {
  const members = () => new MemberRepository(catalog().db);

  async function sharedImage(): Promise<string> {
    const image = makeImage({ visibility: 'shared' });
    await new ImageRepository(catalog().db).create(image);
    return image.id;
  }

  const membership = (imageId: string, memberId: string, ms = 0): ImageMember => ({
    imageId, memberId, status: 'pending', createdAt: at(ms), updatedAt: at(ms),
  });

  it('adds memberships and reads them back, oldest first', async () => {
    const id = await sharedImage();
    assert.deepEqual(await members().add(membership(id, 'p2', 2), 10), { added: membership(id, 'p2', 2) });
    await members().add(membership(id, 'p1', 1), 10);
    assert.deepEqual((await members().list(id)).map((m) => m.memberId), ['p1', 'p2']);
    assert.deepEqual(await members().get(id, 'p2'), membership(id, 'p2', 2));
    assert.equal(await members().get(id, 'p3'), undefined);
    assert.equal(await members().statusOf(id, 'p1'), 'pending');
    assert.equal(await members().statusOf(id, 'p3'), null);
  });

  it('refuses a project that is a member already', async () => {
    const id = await sharedImage();
    await members().add(membership(id, 'p1'), 10);
    assert.deepEqual(await members().add(membership(id, 'p1', 5), 10), { duplicate: true });
    assert.equal((await members().list(id)).length, 1);
  });

  it('refuses a member beyond the quota, counting per image', async () => {
    const id = await sharedImage();
    const another = await sharedImage();
    await members().add(membership(another, 'p9'), 2);
    await members().add(membership(id, 'p1'), 2);
    await members().add(membership(id, 'p2'), 2);
    assert.deepEqual(await members().add(membership(id, 'p3'), 2), { overQuota: 2 });
    assert.deepEqual(await members().add(membership(id, 'p3'), 0), { overQuota: 2 });
    assert.deepEqual(await members().add(membership(id, 'p3'), Number.POSITIVE_INFINITY), { added: membership(id, 'p3') });
  });

  it('changes the status and updated_at of one membership only', async () => {
    const id = await sharedImage();
    await members().add(membership(id, 'p1'), 10);
    await members().add(membership(id, 'p2'), 10);
    assert.deepEqual(await members().setStatus(id, 'p1', 'accepted', at(50)), { ...membership(id, 'p1'), status: 'accepted', updatedAt: at(50) });
    assert.equal(await members().statusOf(id, 'p2'), 'pending');
    assert.equal(await members().setStatus(id, 'p3', 'accepted', at(50)), undefined);
  });

  it('removes a membership, and says when there was none', async () => {
    const id = await sharedImage();
    await members().add(membership(id, 'p1'), 10);
    assert.equal(await members().remove(id, 'p1'), true);
    assert.equal(await members().remove(id, 'p1'), false);
    assert.deepEqual(await members().list(id), []);
  });

  it('loses the memberships of a deleted image', async () => {
    const id = await sharedImage();
    await members().add(membership(id, 'p1'), 10);
    await new ImageRepository(catalog().db).markDeleted(id, at(9));
    assert.deepEqual(await members().list(id), []);
  });
});
