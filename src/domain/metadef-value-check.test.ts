import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PropertyDefinition } from './metadef.js';
import { checkPropertyValue } from './metadef-value-check.js';

const def = (fields: Partial<PropertyDefinition> & Pick<PropertyDefinition, 'type'>): PropertyDefinition => ({ title: 't', ...fields });

describe('checkPropertyValue', () => {
  it('holds strings to enum, length and pattern', () => {
    const bus = def({ type: 'string', enum: ['virtio', 'ide'] });
    assert.equal(checkPropertyValue(bus, 'virtio'), undefined);
    assert.equal(checkPropertyValue(bus, 'floppy'), 'must be one of virtio, ide');
    assert.equal(checkPropertyValue(def({ type: 'string', minLength: 2, maxLength: 3 }), 'a'), 'must be at least 2 characters long');
    assert.equal(checkPropertyValue(def({ type: 'string', maxLength: 3 }), 'abcd'), 'must be at most 3 characters long');
    assert.equal(checkPropertyValue(def({ type: 'string', maxLength: 1 }), 'é'), undefined, 'characters, not bytes');
    assert.equal(checkPropertyValue(def({ type: 'string', pattern: '^[a-z]+$' }), 'Ubuntu'), 'must match the pattern ^[a-z]+$');
    assert.equal(checkPropertyValue(def({ type: 'string', pattern: 'b' }), 'abc'), undefined, 'a pattern searches, as in JSON Schema');
  });

  it('reads integers and numbers from their decimal text, with bounds and enums', () => {
    const sockets = def({ type: 'integer', minimum: 1, maximum: 8 });
    assert.equal(checkPropertyValue(sockets, '2'), undefined);
    assert.equal(checkPropertyValue(sockets, '0'), 'must be at least 1');
    assert.equal(checkPropertyValue(sockets, '9'), 'must be at most 8');
    assert.equal(checkPropertyValue(sockets, '2.5'), 'must be an integer');
    assert.equal(checkPropertyValue(sockets, 'two'), 'must be an integer');
    assert.equal(checkPropertyValue(def({ type: 'integer', enum: [1, 2] }), '3'), 'must be one of 1, 2');
    assert.equal(checkPropertyValue(def({ type: 'number', minimum: 0.5 }), '1e1'), undefined);
    assert.equal(checkPropertyValue(def({ type: 'number' }), 'NaN'), 'must be a number');
  });

  it('reads booleans the way oslo does', () => {
    const flag = def({ type: 'boolean' });
    for (const word of ['true', 'False', 'yes', 'NO', '1', '0', 'on', 'off']) assert.equal(checkPropertyValue(flag, word), undefined, word);
    assert.equal(checkPropertyValue(flag, 'maybe'), 'must be a boolean (true or false)');
  });

  it('reads arrays as JSON or comma-separated lists and checks their items', () => {
    const list = def({ type: 'array', items: { type: 'string', enum: ['a', 'b', 'c'] }, minItems: 1, maxItems: 2, uniqueItems: true });
    assert.equal(checkPropertyValue(list, 'a, b'), undefined);
    assert.equal(checkPropertyValue(list, '["a","c"]'), undefined);
    assert.equal(checkPropertyValue(list, 'a,d'), "item 'd' must be one of a, b, c");
    assert.equal(checkPropertyValue(list, 'a,b,c'), 'must have at most 2 items');
    assert.equal(checkPropertyValue(list, ''), 'must have at least 1 items');
    assert.equal(checkPropertyValue(list, 'a,a'), 'must not repeat items');
    assert.equal(checkPropertyValue(list, '[broken'), 'must be a JSON array or a comma-separated list');
    assert.equal(checkPropertyValue(def({ type: 'array', items: { type: 'integer' } }), '1,x'), "item 'x' must be an integer");
  });

  it('lets values of types a string cannot hold through', () => {
    assert.equal(checkPropertyValue(def({ type: 'object' }), 'anything'), undefined);
  });
});
