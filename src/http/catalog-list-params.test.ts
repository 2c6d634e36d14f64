import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BadRequestError } from '../domain/errors.js';
import { parseListQuery } from './image-list.params.js';

describe('parseListQuery: catalog filters', () => {
  it('turns imago_* parameters into column filters, not property filters', () => {
    const params = parseListQuery({ imago_kind: 'in:standard,capsule', imago_family: 'debian-12', imago_base_image_id: 'AAAAAAAA-0000-4000-8000-000000000001' });
    assert.deepEqual(params.properties, {});
    assert.deepEqual(params.filters, [
      { field: 'imago_kind', op: 'in', values: ['standard', 'capsule'] },
      { field: 'imago_family', op: 'eq', value: 'debian-12' },
      { field: 'imago_base_image_id', op: 'eq', value: 'aaaaaaaa-0000-4000-8000-000000000001' },
    ]);
  });

  it('refuses unknown kinds and deprecation states', () => {
    assert.throws(() => parseListQuery({ imago_kind: 'golden' }), (err: unknown) => err instanceof BadRequestError && err.reason === 'list.imago_kind');
    assert.throws(() => parseListQuery({ imago_deprecation_state: 'in:deprecated,retired' }), /Invalid imago_deprecation_state value: retired/);
  });
});
