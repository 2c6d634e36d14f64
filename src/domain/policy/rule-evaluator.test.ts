import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { evaluateRule, substitute, type Credentials, type PolicyTargetValues } from './rule-evaluator.js';
import { parseRule, type RuleNode } from './rule-syntax.js';

const member: Credentials = { roles: ['Member', 'reader'], values: { project_id: 'p1', user_id: 'u1', is_admin: false } };

function check(rule: string, target: PolicyTargetValues = {}, credentials: Credentials = member, rules: Record<string, string> = {}): boolean {
  const parsed = new Map<string, RuleNode>(Object.entries(rules).map(([name, text]) => [name, parseRule(text)]));
  return evaluateRule(parseRule(rule), { credentials, target, lookup: (name) => parsed.get(name) });
}

describe('evaluateRule', () => {
  it('passes @ and empty rules, fails !', () => {
    assert.equal(check('@'), true);
    assert.equal(check(''), true);
    assert.equal(check('!'), false);
  });

  it('matches roles case-insensitively, also substituted ones', () => {
    assert.equal(check('role:member'), true);
    assert.equal(check('role:ADMIN'), false);
    assert.equal(check('role:%(needed)s', { needed: 'READER' }), true);
    assert.equal(check('role:%(needed)s'), false, 'a missing attribute fails the check');
  });

  it('compares credentials with the substituted target', () => {
    assert.equal(check('project_id:%(project_id)s', { project_id: 'p1' }), true);
    assert.equal(check('project_id:%(project_id)s', { project_id: 'p2' }), false);
    assert.equal(check('project_id:%(project_id)s', {}), false);
    assert.equal(check('project_id:%(owner)s', { owner: null }), false);
    assert.equal(check('user_id:u1'), true);
    assert.equal(check('tenant:p1'), false, 'a credential the caller lacks fails');
    assert.equal(check('user_id:%(user_id)s', { user_id: 'None' }, { roles: [], values: { user_id: null } }), false, 'a null credential matches nothing');
    assert.equal(check('project_id:p-%(suffix)s', { suffix: 1 }), false);
    assert.equal(check('project_id:p%(n)s', { n: 1 }), true, 'numbers print as Python does');
  });

  it('prints booleans and null as Python does', () => {
    assert.equal(check('is_admin:False'), true);
    assert.equal(check('is_admin:True'), false);
    assert.equal(check("'True':%(protected)s", { protected: true }), true);
    assert.equal(check("'None':%(owner)s", { owner: null }), true);
  });

  it('compares literals with the target', () => {
    assert.equal(check("'public':%(visibility)s", { visibility: 'public' }), true);
    assert.equal(check("'public':%(visibility)s", { visibility: 'shared' }), false);
    assert.equal(check("'public':%(visibility)s"), false);
  });

  it('tests membership when the credential is a list', () => {
    assert.equal(check('groups:ops', {}, { roles: [], values: { groups: ['dev', 'ops'] } }), true);
    assert.equal(check('groups:qa', {}, { roles: [], values: { groups: ['dev', 'ops'] } }), false);
  });

  it('combines with and, or and not, by precedence', () => {
    assert.equal(check('role:admin or role:member and project_id:p1'), true);
    assert.equal(check('(role:admin or role:member) and project_id:p2'), false);
    assert.equal(check('role:member and not role:admin'), true);
    assert.equal(check('not role:member or role:reader'), true);
    assert.equal(check('not (role:member or role:admin)'), false);
  });

  it('follows rule references', () => {
    const rules = { is_owner: 'project_id:%(project_id)s', owner_member: 'role:member and rule:is_owner' };
    assert.equal(check('rule:owner_member', { project_id: 'p1' }, member, rules), true);
    assert.equal(check('rule:owner_member', { project_id: 'p2' }, member, rules), false);
    assert.equal(check('rule:undefined_rule', {}, member, rules), false);
  });
});

describe('substitute', () => {
  it('fills every substitution and unescapes %%', () => {
    assert.equal(substitute('%(a)s-%(b)s', { a: 'x', b: false }), 'x-False');
    assert.equal(substitute('100%%', {}), '100%');
    assert.equal(substitute('%(a)s', { b: 'x' }), undefined);
  });

  it('reads only the target own attributes', () => {
    assert.equal(substitute('%(constructor)s', {}), undefined);
  });
});
