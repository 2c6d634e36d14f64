import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parsePolicyDocument } from './policy-document.js';

describe('parsePolicyDocument', () => {
  it('reads YAML and JSON mappings of rule strings', () => {
    assert.deepEqual(parsePolicyDocument('deactivate: "rule:context_is_admin or role:member"\nget_image: ""\n'), {
      rules: { deactivate: 'rule:context_is_admin or role:member', get_image: '' }, problems: [],
    });
    assert.deepEqual(parsePolicyDocument('{"publicize_image": "role:admin", "add_member": []}'), {
      rules: { publicize_image: 'role:admin', add_member: '' }, problems: [],
    });
  });

  it('reads an empty file as no overrides', () => {
    assert.deepEqual(parsePolicyDocument(''), { rules: {}, problems: [] });
    assert.deepEqual(parsePolicyDocument('# nothing changed\n'), { rules: {}, problems: [] });
  });

  it('reports what is not a mapping of strings', () => {
    assert.deepEqual(parsePolicyDocument('- a\n- b\n').problems, ['the top level must be a mapping of rule names to rule strings']);
    assert.deepEqual(parsePolicyDocument('a: true\nb: [x]\nc: ok\n').problems, [
      'a: the rule must be a string (quote it), not boolean',
      'b: the rule must be a string (quote it), not a list',
    ]);
    assert.match(parsePolicyDocument('a: "x\n').problems[0]!, /^not valid YAML or JSON: /);
  });
});
