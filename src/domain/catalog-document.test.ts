import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readCatalogFields } from './catalog-document.js';
import { BadRequestError } from './errors.js';

const reasonOf = (doc: Record<string, unknown>): string | undefined => {
  try {
    readCatalogFields(doc);
    return undefined;
  } catch (err) {
    assert.ok(err instanceof BadRequestError);
    return err.reason;
  }
};

describe('readCatalogFields', () => {
  it('defaults to a custom image made by upload', () => {
    assert.deepEqual(readCatalogFields({}), {
      kind: 'custom', family: null, version: null, baseImageId: null, source: { type: 'upload', ref: null }, manifest: null, disks: [],
    });
  });

  it('takes the manifest\'s base as the image\'s base, and refuses two different bases', () => {
    const base = 'AAAAAAAA-0000-4000-8000-000000000001';
    const manifest = { application: { name: 'app', version: '1' }, base_image_id: base };
    assert.equal(readCatalogFields({ imago_kind: 'capsule', imago_manifest: manifest }).baseImageId, base.toLowerCase());
    assert.equal(reasonOf({ imago_kind: 'capsule', imago_manifest: manifest, imago_base_image_id: '00000000-0000-4000-8000-000000000002' }), 'catalog.manifest_base');
  });

  it('names what is wrong in a manifest', () => {
    assert.throws(() => readCatalogFields({ imago_kind: 'capsule', imago_manifest: { application: { name: 'a', version: '1' }, config: { environment: { 'BAD-NAME': 'x' } } } }),
      /Invalid capsule manifest: imago_manifest\.config\.environment/);
    assert.throws(() => readCatalogFields({ imago_kind: 'capsule', imago_manifest: { application: { name: 'a', version: '1' }, extra: 1 } }), /\('extra'\)/);
  });

  it('validates disks: fields, enums, unique names, one boot disk', () => {
    const disk = { name: 'd', role: 'data', size_gb: 1, format: 'raw', bus: 'virtio' };
    assert.equal(reasonOf({ imago_disks: [disk, { ...disk, name: 'e' }] }), undefined);
    assert.equal(reasonOf({ imago_disks: [{ ...disk, size_gb: -1 }] }), 'catalog.disks');
    assert.equal(reasonOf({ imago_disks: [{ ...disk, format: 'floppy' }] }), 'catalog.disks');
    assert.equal(reasonOf({ imago_disks: [disk, disk] }), 'catalog.disks');
    assert.equal(reasonOf({ imago_disks: [{ ...disk, role: 'boot' }, { ...disk, name: 'e', role: 'boot' }] }), 'catalog.disks');
  });
});
