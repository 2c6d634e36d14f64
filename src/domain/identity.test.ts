import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { effectiveRoles, isDefaultDomain, validName } from './identity.js';
import { Policy } from './policy.js';

describe('identity rules', () => {
  it('expands roles as Keystone\'s implied roles do: admin > member > reader', () => {
    assert.deepEqual(effectiveRoles(['admin']), ['admin', 'member', 'reader']);
    assert.deepEqual(effectiveRoles(['reader', 'member']), ['member', 'reader']);
    assert.deepEqual(effectiveRoles(['owner']), []);
    assert.deepEqual(effectiveRoles([]), []);
  });

  it('knows the one domain by id or (either case of) name', () => {
    assert.equal(isDefaultDomain({ id: 'default' }), true);
    assert.equal(isDefaultDomain({ name: 'Default' }), true);
    assert.equal(isDefaultDomain({ name: 'default' }), true);
    assert.equal(isDefaultDomain({ id: 'Default' }), false);
    assert.equal(isDefaultDomain({ name: 'other' }), false);
  });

  it('takes names of 1 to 255 characters that are not blank', () => {
    assert.equal(validName('a'), true);
    assert.equal(validName('x'.repeat(255)), true);
    assert.equal(validName('x'.repeat(256)), false);
    assert.equal(validName('  '), false);
    assert.equal(validName(7), false);
  });

  it('lets a user act on their own identity records and an admin on anyone\'s', () => {
    const policy = new Policy();
    const alice = { projectId: 'p', userId: 'alice', roles: ['reader'] };
    assert.equal(policy.can('identity:self', alice, { userId: 'alice' }), true);
    assert.equal(policy.can('identity:self', alice, { userId: 'bob' }), false);
    assert.equal(policy.can('identity:self', { projectId: 'p', userId: null, roles: ['member'] }, {}), false, 'a static token is nobody');
    assert.equal(policy.can('identity:self', { projectId: 'admin', userId: null, roles: ['admin'] }, { userId: 'bob' }), true);
    assert.equal(policy.can('identity:manage', alice), false);
  });
});
