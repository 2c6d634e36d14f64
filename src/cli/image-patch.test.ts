import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ImageRecord } from '../client/image-types.js';
import { buildImagePatch, pointer } from './image-patch.js';

const image = {
  id: '11111111-2222-3333-4444-555555555555', name: 'deb', status: 'active', visibility: 'shared', protected: false,
  min_disk: 0, min_ram: 0, tags: [], os_distro: 'debian', 'a/b': 'x',
} as unknown as ImageRecord;

describe('buildImagePatch', () => {
  it('replaces base fields, which always exist', () => {
    assert.deepEqual(buildImagePatch(image, { name: 'new', visibility: 'public', protected: true, minDisk: 10, minRam: 512 }), [
      { op: 'replace', path: '/name', value: 'new' },
      { op: 'replace', path: '/visibility', value: 'public' },
      { op: 'replace', path: '/protected', value: true },
      { op: 'replace', path: '/min_disk', value: 10 },
      { op: 'replace', path: '/min_ram', value: 512 },
    ]);
  });

  it('adds new properties and replaces existing ones', () => {
    assert.deepEqual(buildImagePatch(image, { setProperties: { os_distro: 'ubuntu', os_version: '24.04' } }), [
      { op: 'replace', path: '/os_distro', value: 'ubuntu' },
      { op: 'add', path: '/os_version', value: '24.04' },
    ]);
  });

  it('removes existing properties and refuses to remove missing ones', () => {
    assert.deepEqual(buildImagePatch(image, { removeProperties: ['os_distro'] }), [{ op: 'remove', path: '/os_distro' }]);
    assert.throws(() => buildImagePatch(image, { removeProperties: ['nope'] }), /has no property 'nope'/);
    assert.throws(() => buildImagePatch(image, { setProperties: { os_distro: 'x' }, removeProperties: ['os_distro'] }), /both set and removed/);
  });

  it('escapes keys as JSON pointers', () => {
    assert.equal(pointer('a/b~c'), '/a~1b~0c');
    assert.deepEqual(buildImagePatch(image, { removeProperties: ['a/b'] }), [{ op: 'remove', path: '/a~1b' }]);
  });

  it('builds nothing when nothing changes', () => {
    assert.deepEqual(buildImagePatch(image, { setProperties: {}, removeProperties: [] }), []);
  });
});
