import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isBareFileName, looksLikeDescriptor, parseDescriptor } from './vmdk-descriptor.js';

const b = (s: string) => Buffer.from(s, 'latin1');

describe('VMDK descriptor probe', () => {
  it('recognises what qemu probes as a descriptor, and a little more', () => {
    assert.ok(looksLikeDescriptor(b('version=1\nCID=1\n')));
    assert.ok(looksLikeDescriptor(b('# Disk DescriptorFile\r\nversion=3\r\n')));
    assert.ok(looksLikeDescriptor(b('#c\n   \n\t\nversion=2\n')));
    assert.ok(looksLikeDescriptor(b('  version = 9\n')), 'superset: any version, spaces');
  });

  it('does not claim ordinary raw sectors', () => {
    assert.ok(!looksLikeDescriptor(Buffer.alloc(2048)));
    assert.ok(!looksLikeDescriptor(b('#!/bin/sh\necho version=1\n')));
    assert.ok(!looksLikeDescriptor(b('\xeb\x63\x90version=1')));
    assert.ok(!looksLikeDescriptor(b('# only comments\n# here\n')));
  });
});

describe('VMDK descriptor parsing', () => {
  it('reads fields, extents and unknown lines', () => {
    const d = parseDescriptor([
      '# Disk DescriptorFile', 'version=1', 'CID=5eed0001', 'parentCID=ffffffff', 'createType="monolithicSparse"', '',
      'RW 32768 SPARSE "disk.vmdk"', '  rdonly 10 flat "/etc/passwd" 7', 'RW 100 ZERO', 'RW nonsense',
      'ddb.adapterType = "ide"', 'what is this',
    ].join('\r\n'));
    assert.equal(d.fields.get('createtype'), 'monolithicSparse');
    assert.equal(d.fields.get('ddb.adaptertype'), 'ide');
    assert.deepEqual(d.extents.map((e) => [e.access, e.sectors, e.type, e.fileName]), [
      ['RW', 32768n, 'SPARSE', 'disk.vmdk'],
      ['RDONLY', 10n, 'FLAT', '/etc/passwd'],
      ['RW', 100n, 'ZERO', null],
      ['RW', 0n, 'MALFORMED', null],
    ]);
    assert.deepEqual(d.unknown, ['what is this']);
    assert.deepEqual(d.extents[1]!.offset, '7');
    assert.deepEqual(parseDescriptor('createType="monolithicSparse"\ncreatetype="vmfs"').repeated, ['createtype']);
    assert.equal(parseDescriptor('createType="monolithicSparse"\ncreatetype="vmfs"').fields.get('createtype'), 'monolithicSparse', 'the first wins, as in qemu');
  });

  it('accepts only bare file names for extents', () => {
    for (const ok of ['disk.vmdk', 'my disk-1.vmdk', 'a']) assert.ok(isBareFileName(ok), ok);
    for (const bad of ['', '/etc/passwd', '../other.vmdk', 'dir/x.vmdk', 'C:\\x.vmdk', 'nbd:host:10809', 'json:{}', '..', '.', 'a\nb']) {
      assert.ok(!isBareFileName(bad), bad);
    }
  });
});
