import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BadRequestError } from '../domain/errors.js';
import { ImagePropertyValidator } from './image-property-validator.js';
import type { ImageRuleRow, MetadefCatalog } from './metadef.ports.js';

/** The only catalog call the validator makes, answered from a fixed list as the repository would. */
function catalogWith(rows: ImageRuleRow[]): { catalog: MetadefCatalog; asked: Array<{ keys: readonly string[]; owner: string | null }> } {
  const asked: Array<{ keys: readonly string[]; owner: string | null }> = [];
  const catalog = {
    async imageRules(keys: readonly string[], owner: string | null) {
      asked.push({ keys, owner });
      return rows.filter((r) => keys.includes(`${r.prefix ?? ''}${r.name}`));
    },
  } as unknown as MetadefCatalog;
  return { catalog, asked };
}

const rule = (fields: Partial<ImageRuleRow>): ImageRuleRow => ({
  namespace: 'OS::Compute::LibvirtImage', mode: 'warn', prefix: null, object: null, name: 'hw_disk_bus',
  definition: { title: 'Disk bus', type: 'string', enum: ['virtio', 'ide'] }, ...fields,
});

describe('ImagePropertyValidator', () => {
  it('asks only about the keys that changed and are present, for the image owner', async () => {
    const { catalog, asked } = catalogWith([]);
    await new ImagePropertyValidator(catalog).check({ owner: 'p1', properties: { a: '1', b: '2' } }, ['a', 'gone', 'a']);
    assert.deepEqual(asked, [{ keys: ['a'], owner: 'p1' }]);
    await new ImagePropertyValidator(catalog).check({ owner: 'p1', properties: {} }, []);
    assert.equal(asked.length, 1, 'nothing to check, no query');
  });

  it('returns warnings for warn namespaces and throws 400 for strict ones, naming property, namespace and rule', async () => {
    const warn = new ImagePropertyValidator(catalogWith([rule({})]).catalog);
    assert.deepEqual(await warn.check({ owner: 'p1', properties: { hw_disk_bus: 'virtio' } }, ['hw_disk_bus']), []);
    const warnings = await warn.check({ owner: 'p1', properties: { hw_disk_bus: 'floppy' } }, ['hw_disk_bus']);
    assert.deepEqual(warnings, ["image property hw_disk_bus='floppy' does not match its definition in namespace OS::Compute::LibvirtImage: it must be one of virtio, ide"]);

    const strict = new ImagePropertyValidator(catalogWith([rule({ mode: 'strict', namespace: 'Site::Rules' })]).catalog);
    await assert.rejects(strict.check({ owner: 'p1', properties: { hw_disk_bus: 'floppy' } }, ['hw_disk_bus']), (err: unknown) => {
      assert.ok(err instanceof BadRequestError);
      assert.match(err.message, /hw_disk_bus='floppy'.*namespace Site::Rules.*must be one of virtio, ide/);
      assert.equal(err.reason, 'image.property_definition');
      return true;
    });
  });

  it('applies the association prefix and object definitions, and reports a shared rule once at its strictest', async () => {
    const rows = [
      rule({ namespace: 'B', prefix: 'hw_', name: 'firmware_type', definition: { title: 'F', type: 'string', enum: ['uefi', 'bios'] } }),
      rule({ namespace: 'A', prefix: 'hw_', name: 'firmware_type', mode: 'strict', definition: { title: 'F', type: 'string', enum: ['uefi', 'bios'] } }),
      rule({ namespace: 'C', object: 'Obj', name: 'os_version', definition: { title: 'V', type: 'string', maxLength: 2 } }),
    ];
    const validator = new ImagePropertyValidator(catalogWith(rows).catalog);
    const result = await validator.evaluate({ hw_firmware_type: 'coreboot', os_version: '24.04' }, ['hw_firmware_type', 'os_version'], 'p1');
    assert.deepEqual(result.errors.map((v) => [v.key, v.namespace]), [['hw_firmware_type', 'A']]);
    assert.deepEqual(result.warnings.map((v) => [v.key, v.namespace, v.object]), [['os_version', 'C', 'Obj']]);
  });

  it('ignores rules of namespaces that are off', async () => {
    const validator = new ImagePropertyValidator(catalogWith([rule({ mode: 'off' })]).catalog);
    assert.deepEqual(await validator.check({ owner: null, properties: { hw_disk_bus: 'floppy' } }, ['hw_disk_bus']), []);
  });
});
