import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseRule, RuleSyntaxError, type RuleNode } from './rule-syntax.js';

const role = (match: string): RuleNode => ({ kind: 'role', match });

describe('parseRule', () => {
  it('reads an empty or blank rule as always', () => {
    assert.deepEqual(parseRule(''), { kind: 'always' });
    assert.deepEqual(parseRule('   '), { kind: 'always' });
  });

  it('reads @ and ! and every kind of check', () => {
    assert.deepEqual(parseRule('@'), { kind: 'always' });
    assert.deepEqual(parseRule('!'), { kind: 'never' });
    assert.deepEqual(parseRule('rule:context_is_admin'), { kind: 'rule', name: 'context_is_admin' });
    assert.deepEqual(parseRule('role:admin'), role('admin'));
    assert.deepEqual(parseRule('project_id:%(project_id)s'), { kind: 'credential', key: 'project_id', match: '%(project_id)s' });
    assert.deepEqual(parseRule('is_admin:True'), { kind: 'credential', key: 'is_admin', match: 'True' });
    assert.deepEqual(parseRule("'public':%(visibility)s"), { kind: 'literal', value: 'public', match: '%(visibility)s' });
    assert.deepEqual(parseRule('"shared":%(visibility)s'), { kind: 'literal', value: 'shared', match: '%(visibility)s' });
    assert.deepEqual(parseRule('True:%(protected)s'), { kind: 'literal', value: 'True', match: '%(protected)s' });
  });

  it('keeps spaces and colons inside quoted literals', () => {
    assert.deepEqual(parseRule("'a b:c':%(name)s"), { kind: 'literal', value: 'a b:c', match: '%(name)s' });
  });

  it('binds not tighter than and, and and tighter than or', () => {
    assert.deepEqual(parseRule('role:a or role:b and role:c'), { kind: 'or', operands: [role('a'), { kind: 'and', operands: [role('b'), role('c')] }] });
    assert.deepEqual(parseRule('role:a and role:b or role:c'), { kind: 'or', operands: [{ kind: 'and', operands: [role('a'), role('b')] }, role('c')] });
    assert.deepEqual(parseRule('not role:a and role:b'), { kind: 'and', operands: [{ kind: 'not', operand: role('a') }, role('b')] });
    assert.deepEqual(parseRule('not not role:a'), { kind: 'not', operand: { kind: 'not', operand: role('a') } });
  });

  it('groups with parentheses, also glued to checks and substitutions', () => {
    assert.deepEqual(parseRule('(role:a or role:b) and role:c'), { kind: 'and', operands: [{ kind: 'or', operands: [role('a'), role('b')] }, role('c')] });
    assert.deepEqual(parseRule('((project_id:%(project_id)s))'), { kind: 'credential', key: 'project_id', match: '%(project_id)s' });
    assert.deepEqual(parseRule('not (role:a or role:b)'), { kind: 'not', operand: { kind: 'or', operands: [role('a'), role('b')] } });
  });

  it('flattens chains of one operator', () => {
    assert.deepEqual(parseRule('role:a or role:b or role:c'), { kind: 'or', operands: [role('a'), role('b'), role('c')] });
  });

  it('reads keywords in any case', () => {
    assert.deepEqual(parseRule('role:a OR NOT role:b'), { kind: 'or', operands: [role('a'), { kind: 'not', operand: role('b') }] });
  });

  it('parses every Glance-style default without complaint', () => {
    parseRule("rule:context_is_admin or (role:reader and (project_id:%(project_id)s or project_id:%(member_id)s or 'community':%(visibility)s or 'public':%(visibility)s or 'shared':%(visibility)s))");
    parseRule('rule:context_is_admin or role:reader and (project_id:%(project_id)s or project_id:%(member_id)s)');
  });

  it('reports syntax errors with what it found', () => {
    const cases: [string, RegExp][] = [
      ['role:a or', /expected a check.*end of the rule/],
      ['(role:a', /expected '\)' but found the end/],
      ['role:a)', /unexpected '\)'/],
      ['role:a role:b', /unexpected 'role:b'.*missing 'and'/],
      ['and role:a', /expected a check.*'and'/],
      ['admin', /'admin' is not a check/],
      ['role:', /nothing after the colon/],
      [':x', /is not a check/],
      ["'public:%(visibility)s", /unterminated quoted string/],
      ['project_id:%(project_id)d', /must start a %\(name\)s substitution/],
      ['http://example.com/check', /http.*not supported/],
      ['not', /expected a check/],
      ['()', /expected a check.*'\)'/],
    ];
    for (const [text, message] of cases) {
      assert.throws(() => parseRule(text), (err: unknown) => err instanceof RuleSyntaxError && message.test(err.message), text);
    }
  });
});
