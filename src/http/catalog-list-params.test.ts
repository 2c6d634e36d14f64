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

describe('parseListQuery: disk filters', () => {
  it('turns imago_disk_* parameters into disk filters, and the count into an integer', () => {
    const params = parseListQuery({ imago_disk_role: 'data', imago_disk_bus: 'in:scsi,nvme', imago_disk_format: 'raw', imago_disk_count: '2' });
    assert.deepEqual(params.properties, {});
    assert.deepEqual(params.filters, [
      { field: 'imago_disk_role', op: 'eq', value: 'data' },
      { field: 'imago_disk_bus', op: 'in', values: ['scsi', 'nvme'] },
      { field: 'imago_disk_format', op: 'eq', value: 'raw' },
      { field: 'imago_disk_count', op: 'eq', value: 2 },
    ]);
  });

  it('refuses unknown roles, buses and formats, and counts that are not non-negative integers', () => {
    const reason = (r: string) => (err: unknown) => err instanceof BadRequestError && err.reason === r;
    assert.throws(() => parseListQuery({ imago_disk_role: 'scratch' }), reason('list.imago_disk_role'));
    assert.throws(() => parseListQuery({ imago_disk_bus: 'in:virtio,floppy' }), /Invalid imago_disk_bus value: floppy/);
    assert.throws(() => parseListQuery({ imago_disk_format: 'QCOW2' }), reason('list.imago_disk_format'));
    for (const count of ['-1', '1.5', 'two', '', 'in:1,2']) {
      assert.throws(() => parseListQuery({ imago_disk_count: count }), reason('list.imago_disk_count'), count);
    }
    assert.throws(() => parseListQuery({ imago_disk_count: ['1', '2'] }), reason('list.repeated'));
  });
});
