import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ForbiddenError, NotFoundError } from './errors.js';
import type { Image, Visibility } from './image.js';
import { Policy } from './policy.js';
import type { Principal } from './principal.js';

const member: Principal = { projectId: 'a', userId: null, roles: ['member', 'reader'] };
const reader: Principal = { projectId: 'a', userId: null, roles: ['reader'] };
const other: Principal = { projectId: 'b', userId: null, roles: ['member', 'reader'] };
const admin: Principal = { projectId: 'admin', userId: null, roles: ['admin', 'member', 'reader'] };

function image(visibility: Visibility, owner = 'a'): Image {
  const now = new Date();
  return {
    id: '00000000-0000-4000-8000-000000000001', name: 'x', status: 'active', visibility, protected: false, osHidden: false,
    owner, diskFormat: 'raw', containerFormat: 'bare', minDisk: 0, minRam: 0, size: 1, virtualSize: null, checksum: null,
    osHashAlgo: null, osHashValue: null, location: null, createdAt: now, updatedAt: now, tags: [], properties: {},
  };
}

describe('Policy', () => {
  const policy = new Policy();

  it('hides private and shared images of other projects as 404', () => {
    for (const visibility of ['private', 'shared'] as const) {
      assert.throws(() => policy.enforce('get_image', other, { image: image(visibility) }), NotFoundError);
      assert.throws(() => policy.enforce('modify_image', other, { image: image(visibility) }), NotFoundError);
    }
  });

  it('lets others read public and community images but not change them (403)', () => {
    for (const visibility of ['public', 'community'] as const) {
      policy.enforce('get_image', other, { image: image(visibility) });
      assert.throws(() => policy.enforce('modify_image', other, { image: image(visibility) }), ForbiddenError);
      assert.throws(() => policy.enforce('delete_image', other, { image: image(visibility) }), ForbiddenError);
    }
  });

  it('lets a shared image be seen by a member with any membership record', () => {
    assert.equal(policy.can('get_image', other, { image: image('shared'), memberStatus: 'pending' }), true);
    assert.equal(policy.can('get_image', other, { image: image('shared'), memberStatus: null }), false);
  });

  it('gives readers read access only', () => {
    policy.enforce('get_image', reader, { image: image('private') });
    assert.throws(() => policy.enforce('modify_image', reader, { image: image('private') }), ForbiddenError);
    assert.throws(() => policy.enforce('add_image', reader), ForbiddenError);
  });

  it('keeps publicizing, owner changes and (de|re)activation for admins', () => {
    for (const action of ['publicize_image', 'set_image_owner', 'deactivate', 'reactivate'] as const) {
      assert.equal(policy.can(action, member, { image: image('private') }), false, action);
      assert.equal(policy.can(action, admin, { image: image('private') }), true, action);
    }
  });

  it('accepts rule overrides', () => {
    const open = new Policy({ deactivate: () => true });
    assert.equal(open.can('deactivate', member, { image: image('private') }), true);
  });
});
