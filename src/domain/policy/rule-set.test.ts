import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PolicyRulesError, RuleSet } from './rule-set.js';

function problems(sources: Record<string, string>): readonly string[] {
  try {
    RuleSet.compile(sources);
  } catch (err) {
    assert.ok(err instanceof PolicyRulesError);
    return err.problems;
  }
  assert.fail('expected PolicyRulesError');
}

describe('RuleSet', () => {
  it('compiles rules that refer to each other without loops', () => {
    const rules = RuleSet.compile({ a: 'rule:b or rule:c', b: 'rule:c', c: '@' });
    assert.deepEqual(rules.get('c'), { kind: 'always' });
    assert.equal(rules.has('x'), false);
    assert.deepEqual(rules.entries(), [['a', 'rule:b or rule:c'], ['b', 'rule:c'], ['c', '@']]);
  });

  it('reports references to rules that are not defined', () => {
    assert.deepEqual(problems({ a: 'role:x or rule:missing' }), ['a: refers to rule:missing, which is not defined']);
  });

  it('reports loops, including a rule that refers to itself', () => {
    assert.deepEqual(problems({ a: 'rule:a' }), ['a: rules refer to each other in a loop: a -> a']);
    assert.deepEqual(problems({ a: 'role:x or rule:b', b: 'not rule:c', c: 'rule:a', d: 'rule:a' }), ['a: rules refer to each other in a loop: a -> b -> c -> a']);
  });

  it('reports every syntax error at once', () => {
    assert.deepEqual(problems({ a: 'role:x or', b: '(role:y', c: '@' }), [
      'a: syntax error in "role:x or": expected a check, \'not\' or \'(\' but found the end of the rule',
      'b: syntax error in "(role:y": expected \')\' but found the end of the rule',
    ]);
  });
});
