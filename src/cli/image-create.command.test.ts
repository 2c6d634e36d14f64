import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseCommandArgs } from './args.js';
import { createFields, imageCreateCommand } from './image-create.command.js';

const fields = (argv: string[]) => createFields('deb', parseCommandArgs(argv, imageCreateCommand.options).values);

describe('image create options', () => {
  it('default to raw/bare like openstack image create', () => {
    assert.deepEqual(fields([]), { name: 'deb', disk_format: 'raw', container_format: 'bare' });
  });

  it('map every flag to its Glance field, properties as top-level strings', () => {
    assert.deepEqual(fields([
      '--disk-format', 'qcow2', '--container-format', 'ovf', '--visibility', 'public', '--protected', '--min-disk', '10',
      '--min-ram', '512', '--property', 'os_distro=debian', '--property', 'os_version=12', '--tag', 'a', '--tag', 'b',
      '--id', '11111111-2222-3333-4444-555555555555',
    ]), {
      os_distro: 'debian', os_version: '12', name: 'deb', disk_format: 'qcow2', container_format: 'ovf', visibility: 'public',
      protected: true, min_disk: 10, min_ram: 512, tags: ['a', 'b'], id: '11111111-2222-3333-4444-555555555555',
    });
  });

  it('take the disk format from an unambiguous file extension unless given', () => {
    assert.equal(fields(['--file', 'disk.QCOW2']).disk_format, 'qcow2');
    assert.equal(fields(['--file', 'ubuntu.img']).disk_format, 'raw');
    assert.equal(fields(['--file', 'disk.qcow2', '--disk-format', 'raw']).disk_format, 'raw');
  });

  it('let base fields win over a --property of the same name', () => {
    assert.equal(fields(['--property', 'name=other']).name, 'deb');
  });
});
