import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BadRequestError, ConflictError, ForbiddenError } from './errors.js';
import { applyPatch, pointerKey } from './image-patch.js';

const doc = { name: 'n', tags: [], foo: 'bar', min_disk: 0 };

describe('pointerKey', () => {
  it('decodes ~0 and ~1 and refuses nested or malformed pointers', () => {
    assert.equal(pointerKey('/a~1b~0c'), 'a/b~c');
    assert.throws(() => pointerKey('/a/b'), BadRequestError);
    assert.throws(() => pointerKey('a'), BadRequestError);
    assert.throws(() => pointerKey('/'), BadRequestError);
    assert.throws(() => pointerKey('/a~2'), BadRequestError);
  });
});

describe('applyPatch', () => {
  it('applies add, replace and remove in order on a copy', () => {
    const out = applyPatch(doc, [
      { op: 'add', path: '/os_distro', value: 'debian' },
      { op: 'replace', path: '/name', value: 'm' },
      { op: 'remove', path: '/foo' },
    ], { addMustCreate: false });
    assert.deepEqual(out, { name: 'm', tags: [], min_disk: 0, os_distro: 'debian' });
    assert.equal(doc.foo, 'bar', 'the input is not changed');
  });

  it('follows Glance on conflicts and forbidden paths', () => {
    assert.throws(() => applyPatch(doc, [{ op: 'replace', path: '/nope', value: 'x' }], { addMustCreate: false }), ConflictError);
    assert.throws(() => applyPatch(doc, [{ op: 'remove', path: '/nope' }], { addMustCreate: false }), ConflictError);
    assert.throws(() => applyPatch(doc, [{ op: 'remove', path: '/name' }], { addMustCreate: false }), ForbiddenError);
    assert.throws(() => applyPatch(doc, [{ op: 'add', path: '/checksum', value: 'x' }], { addMustCreate: false }), ForbiddenError);
    assert.throws(() => applyPatch(doc, [{ op: 'add', path: '/os_glance_x', value: 'x' }], { addMustCreate: false }), ForbiddenError);
    assert.throws(() => applyPatch(doc, [{ op: 'add', path: '/foo', value: 'x' }], { addMustCreate: true }), ConflictError);
    assert.equal(applyPatch(doc, [{ op: 'add', path: '/foo', value: 'x' }], { addMustCreate: false }).foo, 'x');
  });
});
