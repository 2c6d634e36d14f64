import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidImageDataError } from '../../domain/errors.js';
import { iso, mbr, qcow2, vhdFooter } from '../../../test/formats/support/images.js';
import { assertAccepted, assertRefused, inspectBytesBoth } from '../../../test/formats/support/inspect.js';
import { checkDeclaredFormat, refusalError } from './verdict.js';

describe('checkDeclaredFormat', () => {
  const ok = (declared: string, detected: string, requireMatch?: boolean) => checkDeclaredFormat(declared, detected, { requireMatch }) === null;

  it('is strict by default', () => {
    assert.ok(ok('qcow2', 'qcow2'));
    assert.ok(ok('vhd', 'vhd') && ok('vpc', 'vhd'), 'vpc is qemu\'s name for vhd');
    assert.ok(!ok('qcow2', 'raw'));
    assert.ok(!ok('vmdk', 'qcow2'));
    assert.ok(!ok('iso', 'raw'), 'an ISO must contain an ISO volume');
    assert.ok(!ok('raw', 'vhd'), 'a fixed VHD declared raw would show its footer as a disk sector');
    assert.equal(checkDeclaredFormat('raw', 'qcow2')?.reason, 'format_mismatch');
  });

  it('lets an ISO be declared raw, and the AMI family carry raw content', () => {
    assert.ok(ok('raw', 'iso') && ok('iso', 'iso'));
    for (const d of ['ami', 'ari', 'aki']) assert.ok(ok(d, 'raw') && !ok(d, 'qcow2'));
  });

  it('tolerates mislabels when not strict, but never raw-declared container formats', () => {
    assert.ok(ok('qcow2', 'vmdk', false));
    assert.ok(ok('qcow2', 'raw', false));
    assert.ok(!ok('raw', 'qcow2', false));
    assert.ok(!ok('iso', 'vmdk', false));
    assert.ok(!ok('ami', 'vhdx', false));
  });

  it('maps refusals to the domain error with a namespaced reason', () => {
    const e = refusalError({ ok: false, reason: 'format_mismatch', message: 'm' });
    assert.ok(e instanceof InvalidImageDataError);
    assert.equal(e.reason, 'format.mismatch');
    assert.equal(refusalError({ ok: false, reason: 'backing_file', message: 'm' }).reason, 'format.backing_file');
  });
});

describe('combining detections', () => {
  it('refuses polyglots: an ISO whose system area holds a qcow2, a qcow2 with an MBR or a VHD footer', async () => {
    const q = qcow2().buf;
    assertRefused(await inspectBytesBoth(iso(24, q)), 'multiple_formats');
    assertRefused(await inspectBytesBoth(iso(24, q), { declaredFormat: 'iso' }), 'format_mismatch');
    const withMbr = Buffer.from(q);
    mbr([[0x83, 2048, 100]]).copy(withMbr, 446, 446);
    assertRefused(await inspectBytesBoth(withMbr), 'multiple_formats');
    assertRefused(await inspectBytesBoth(Buffer.concat([q, vhdFooter(q.length)])), 'multiple_formats');
  });

  it('accepts raw layouts over raw content: hybrid ISO, fixed VHD of a partitioned disk', async () => {
    const hybrid = await inspectBytesBoth(iso(24, mbr([[0x17, 0, 24 * 4]], true)), { declaredFormat: 'iso' });
    assertAccepted(hybrid, 'iso', 24 * 2048);
    assert.equal(hybrid.ok && hybrid.details.partitionTable, 'mbr');
    const disk = Buffer.concat([mbr([[0x83, 1, 2000]]), Buffer.alloc((1 << 20) - 512)]);
    assertAccepted(await inspectBytesBoth(Buffer.concat([disk, vhdFooter(disk.length)]), { declaredFormat: 'vhd' }), 'vhd', 1 << 20);
    assertAccepted(await inspectBytesBoth(iso(24), { declaredFormat: 'raw' }), 'iso');
  });

  it('applies the size limit to raw images too', async () => {
    assertAccepted(await inspectBytesBoth(Buffer.alloc(4096)), 'raw', 4096);
    assertRefused(await inspectBytesBoth(Buffer.alloc(4096), { maxVirtualSize: 4095 }), 'virtual_size_too_large');
    assertAccepted(await inspectBytesBoth(Buffer.alloc(0)), 'raw', 0);
  });
});
