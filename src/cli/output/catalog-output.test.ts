import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ImageRef } from '../../client/catalog-types.js';
import { deprecationWarning, describeRef, renderLineage } from './catalog-output.js';

const ref = (id: string, base: string | null, extra: Partial<ImageRef> = {}): ImageRef => ({
  id, name: id, status: 'active', owner: 'p', imago_kind: 'custom', imago_family: null, imago_version: null,
  imago_base_image_id: base, imago_deprecation_state: 'active', os_hidden: false, created_at: '2030-01-01T00:00:00Z', ...extra,
});

describe('renderLineage', () => {
  it('draws ancestors down to the image and its descendants as a tree', () => {
    const text = renderLineage(
      { ancestry: [ref('me', 'base'), ref('base', 'gone'), { id: 'gone', deleted: true }] },
      { image_id: 'me', descendants: [{ ...ref('a', 'me'), depth: 1 }, { ...ref('b', 'me'), depth: 1 }, { ...ref('a1', 'a'), depth: 2 }] },
    );
    assert.equal(text, [
      '(deleted)  gone',
      '└── base  base  [custom]',
      '    └── me  me  [custom]  <= this image',
      '        ├── a  a  [custom]',
      '        │   └── a1  a1  [custom]',
      '        └── b  b  [custom]',
    ].join('\n'));
  });

  it('stops at an ancestor the caller may not see', () => {
    assert.equal(renderLineage({ ancestry: [ref('me', 'x'), { id: 'x', visible: false }] }, { image_id: 'me', descendants: [] }),
      '(not visible to you)  x\n└── me  me  [custom]  <= this image');
  });
});

describe('describeRef and deprecationWarning', () => {
  it('shows kind, family, version and a non-active state; escapes control characters in names', () => {
    assert.equal(describeRef(ref('i', null, { name: 'deb\x1b[31m', imago_kind: 'standard', imago_family: 'debian-12', imago_version: '12.1', imago_deprecation_state: 'obsolete' })),
      'deb\\x1b[31m  i  [standard, debian-12 12.1, OBSOLETE]');
  });

  it('warns only about deprecated and obsolete images', () => {
    const image = (state: string, replacement: string | null = null) => ({ id: 'i', imago_deprecation: { state, replacement } }) as never;
    assert.equal(deprecationWarning(image('active')), undefined);
    assert.equal(deprecationWarning(image('deprecated', 'r')), 'warning: image i is deprecated; use r instead');
    assert.equal(deprecationWarning(image('obsolete')), 'warning: image i is obsolete');
  });
});
