import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ForbiddenError, NotFoundError } from './errors.js';
import type { Image, Visibility } from './image.js';
import { IMAGE_ACTIONS, Policy, PolicyRulesError } from './policy.js';
import type { Principal } from './principal.js';
import { DEFAULT_CATALOG } from './catalog.js';

const member: Principal = { projectId: 'a', userId: null, roles: ['member', 'reader'] };
const reader: Principal = { projectId: 'a', userId: null, roles: ['reader'] };
const other: Principal = { projectId: 'b', userId: null, roles: ['member', 'reader'] };
const admin: Principal = { projectId: 'admin', userId: null, roles: ['admin'] };
const nobody: Principal = { projectId: 'a', userId: null, roles: [] };

function image(visibility: Visibility, owner: string | null = 'a'): Image {
  const now = new Date();
  return {
    id: '00000000-0000-4000-8000-000000000001', name: 'x', status: 'active', visibility, protected: false, osHidden: false,
    owner, diskFormat: 'raw', containerFormat: 'bare', minDisk: 0, minRam: 0, size: 1, virtualSize: null, checksum: null,
    osHashAlgo: null, osHashValue: null, location: null, createdAt: now, updatedAt: now, tags: [], properties: { os_distro: 'debian' },
    catalog: DEFAULT_CATALOG,
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
      policy.enforce('download_image', other, { image: image(visibility) });
      assert.throws(() => policy.enforce('modify_image', other, { image: image(visibility) }), ForbiddenError);
      assert.throws(() => policy.enforce('delete_image', other, { image: image(visibility) }), ForbiddenError);
    }
  });

  it('lets a shared image be seen by a member with any membership status, and downloaded, not changed', () => {
    for (const memberStatus of ['pending', 'accepted', 'rejected'] as const) {
      assert.equal(policy.can('get_image', other, { image: image('shared'), memberStatus }), true, memberStatus);
      policy.enforce('download_image', other, { image: image('shared'), memberStatus });
      assert.throws(() => policy.enforce('modify_image', other, { image: image('shared'), memberStatus }), ForbiddenError);
    }
    assert.equal(policy.can('get_image', other, { image: image('shared'), memberStatus: null }), false);
  });

  it('ignores memberships once the image is no longer shared', () => {
    assert.throws(() => policy.enforce('get_image', other, { image: image('private'), memberStatus: 'accepted' }), NotFoundError);
  });

  it('does not let custom properties pose as a membership or a user', () => {
    const spoofed = { ...image('public'), properties: { member_id: 'b', member_status: 'accepted', user_id: 'u1' } };
    assert.equal(policy.can('modify_member', other, { image: spoofed }), false);
    assert.equal(new Policy({ modify_image: 'user_id:%(user_id)s' }).can('modify_image', { ...other, userId: 'u1' }, { image: spoofed }), false);
  });

  it('lets only the member decide on its membership: the owner gets 403', () => {
    policy.enforce('modify_member', other, { image: image('shared'), memberStatus: 'pending' });
    assert.throws(() => policy.enforce('modify_member', member, { image: image('shared') }), ForbiddenError);
    policy.enforce('add_member', member, { image: image('shared') });
    assert.throws(() => policy.enforce('add_member', other, { image: image('shared'), memberStatus: 'accepted' }), ForbiddenError);
    policy.enforce('get_members', other, { image: image('shared'), memberStatus: 'accepted' });
    policy.enforce('get_members', reader, { image: image('shared') });
  });

  it('gives readers read access only: no writes, no downloads (Glance)', () => {
    policy.enforce('get_image', reader, { image: image('private') });
    assert.throws(() => policy.enforce('modify_image', reader, { image: image('private') }), ForbiddenError);
    assert.throws(() => policy.enforce('download_image', reader, { image: image('private') }), ForbiddenError);
    assert.throws(() => policy.enforce('add_image', reader), ForbiddenError);
    policy.enforce('get_images', reader);
  });

  it('treats a caller without roles as unable to see anything (404, not 403)', () => {
    assert.throws(() => policy.enforce('get_image', nobody, { image: image('private') }), NotFoundError);
    assert.throws(() => policy.enforce('modify_image', nobody, { image: image('public', 'x') }), NotFoundError);
    assert.throws(() => policy.enforce('get_images', nobody), ForbiddenError);
  });

  it('lets member imply reader and admin imply member, as Keystone does', () => {
    const memberOnly: Principal = { projectId: 'a', userId: null, roles: ['member'] };
    policy.enforce('get_images', memberOnly);
    policy.enforce('get_image', memberOnly, { image: image('private') });
  });

  it('keeps publicizing and owner changes for admins', () => {
    for (const action of ['publicize_image', 'set_image_owner'] as const) {
      assert.equal(policy.can(action, member, { image: image('private') }), false, action);
      assert.equal(policy.can(action, admin, { image: image('private') }), true, action);
    }
  });

  it('lets admins and the owner\'s members (de|re)activate, as Glance\'s current defaults do', () => {
    for (const action of ['deactivate', 'reactivate'] as const) {
      assert.equal(policy.can(action, member, { image: image('private') }), true, action);
      assert.equal(policy.can(action, member, { image: image('public', 'someone') }), false, `${action} on another project's image`);
      assert.equal(policy.can(action, admin, { image: image('private', 'someone') }), true, action);
    }
  });

  it('lets admins see and do everything, on any project', () => {
    assert.equal(policy.isAdmin(admin), true);
    assert.equal(policy.isAdmin(member), false);
    for (const action of ['get_image', 'modify_image', 'delete_image', 'add_member', 'modify_member', 'deactivate'] as const) {
      policy.enforce(action, admin, { image: image('private', 'someone') });
    }
  });

  it('shows images without an owner to everyone, as Glance does', () => {
    policy.enforce('get_image', other, { image: image('public', null) });
    assert.throws(() => policy.enforce('get_image', other, { image: image('private', null) }), NotFoundError, 'the get_image rule still applies');
  });

  it('checks a caller-owned target for Imago actions', () => {
    policy.enforce('get_usage', reader);
    assert.throws(() => policy.enforce('get_quotas', member), ForbiddenError);
    policy.enforce('identity:self', { ...member, userId: 'u1' }, { userId: 'u1' });
    assert.throws(() => policy.enforce('identity:self', { ...member, userId: 'u1' }, { userId: 'u2' }), ForbiddenError);
    assert.throws(() => policy.enforce('identity:self', member, { userId: 'u2' }), ForbiddenError);
  });

  it('passes extra attributes to rules (metadef namespaces)', () => {
    assert.equal(policy.can('get_metadef_namespace', other, { attributes: { project_id: 'a', visibility: 'public' } }), true);
    assert.equal(policy.can('get_metadef_namespace', other, { attributes: { project_id: 'a', visibility: 'private' } }), false);
    assert.equal(policy.can('add_metadef_namespace', member), false);
  });

  it('accepts overrides, including helper rules and the custom rules they introduce', () => {
    const open = new Policy({ deactivate: 'rule:context_is_admin or (role:member and project_id:%(project_id)s)' });
    assert.equal(open.can('deactivate', member, { image: image('private') }), true);
    assert.equal(open.can('deactivate', other, { image: image('public') }), false);
    const renamedAdmin = new Policy({ context_is_admin: 'role:admin or rule:cloud_admin', cloud_admin: 'role:cloud-admin' });
    const cloudAdmin: Principal = { projectId: 'ops', userId: null, roles: ['cloud-admin'] };
    assert.equal(renamedAdmin.isAdmin(cloudAdmin), true);
    renamedAdmin.enforce('get_image', cloudAdmin, { image: image('private') });
    const byProperty = new Policy({ download_image: "rule:context_is_admin or (role:member and 'debian':%(os_distro)s)" });
    assert.equal(byProperty.can('download_image', other, { image: image('public') }), true);
  });

  it('can make an action answer to nobody, or to anybody', () => {
    assert.equal(new Policy({ get_images: '!' }).can('get_images', admin), false);
    assert.equal(new Policy({ add_image: '@' }).can('add_image', nobody), true);
  });

  it('refuses unknown names, broken rules, undefined references and loops, all at once', () => {
    assert.throws(() => new Policy({ modify_imge: 'role:admin', get_image: 'role:', add_image: 'rule:nope', context_is_admin: 'rule:context_is_admin' }), (err: unknown) => {
      assert.ok(err instanceof PolicyRulesError);
      assert.deepEqual([...err.problems].sort(), [
        'add_image: refers to rule:nope, which is not defined',
        'context_is_admin: rules refer to each other in a loop: context_is_admin -> context_is_admin',
        'get_image: syntax error in "role:": \'role:\' has nothing after the colon',
        'modify_imge: not an action Imago knows, and no rule refers to it (a typo?)',
      ]);
      return true;
    });
  });

  it('lists every action with its rule, marking overrides', () => {
    const entries = new Policy({ deactivate: 'role:admin' }).entries();
    const actions = entries.filter((e) => e.isAction).map((e) => e.name);
    assert.deepEqual([...actions].sort(), [...IMAGE_ACTIONS].sort());
    assert.deepEqual(entries.find((e) => e.name === 'deactivate'), { name: 'deactivate', rule: 'role:admin', isAction: true, overridden: true });
    assert.equal(entries.find((e) => e.name === 'context_is_admin')?.isAction, false);
    assert.ok(IMAGE_ACTIONS.includes('get_metadef_namespace') && IMAGE_ACTIONS.includes('tasks_api_access') && IMAGE_ACTIONS.includes('identity:manage'));
  });
});
