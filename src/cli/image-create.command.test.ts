import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

  it('map the catalog options to the imago_* fields, reading the manifest and disks as JSON files', () => {
    const dir = mkdtempSync(join(tmpdir(), 'imago-create-'));
    try {
      writeFileSync(join(dir, 'm.json'), JSON.stringify({ application: { name: 'app', version: '1' } }));
      writeFileSync(join(dir, 'd.json'), JSON.stringify([{ name: 'root', role: 'boot' }]));
      assert.deepEqual(fields([
        '--kind', 'capsule', '--family', 'app', '--version', '1.2', '--base', '11111111-2222-3333-4444-555555555555',
        '--source', 'import:https://example.com/a.qcow2', '--manifest', join(dir, 'm.json'), '--disks', join(dir, 'd.json'),
      ]), {
        name: 'deb', disk_format: 'raw', container_format: 'bare', imago_kind: 'capsule', imago_family: 'app', imago_version: '1.2',
        imago_base_image_id: '11111111-2222-3333-4444-555555555555', imago_source: { type: 'import', ref: 'https://example.com/a.qcow2' },
        imago_manifest: { application: { name: 'app', version: '1' } }, imago_disks: [{ name: 'root', role: 'boot' }],
      });
      assert.deepEqual(fields(['--source', 'upload']).imago_source, { type: 'upload', ref: null });
      assert.throws(() => fields(['--kind', 'golden']), /--kind must be one of standard, capsule, custom/);
      assert.throws(() => fields(['--manifest', join(dir, 'missing.json')]), /--manifest: cannot read/);
      writeFileSync(join(dir, 'bad.json'), '{');
      assert.throws(() => fields(['--disks', join(dir, 'bad.json')]), /--disks: .* is not JSON/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('let base fields win over a --property of the same name', () => {
    assert.equal(fields(['--property', 'name=other']).name, 'deb');
  });
});
