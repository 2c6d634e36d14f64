/**
 * Hostile variants beyond the corpus: the same attack kinds reached through other fields,
 * extensions and layouts, to show the rules check principles rather than samples. Base images
 * come from qemu-img (in a private temp dir); the attacks are patched in memory. Every verdict
 * is computed by both the streaming and the random-access inspector (inspectBytesBoth).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { TestContext } from 'node:test';
import { gzipSync } from 'node:zlib';
import { crc32c } from '../../src/formats/inspect/bytes.js';
import { hasCommand, requireTool } from '../support/require-tool.js';
import { qcow2, vhdChecksum } from './support/images.js';
import { assertAccepted, assertRefused, inspectBoth, inspectBytesBoth, streamVerdict } from './support/inspect.js';
import { Workdir } from './support/qemu.js';

const MiB = 1 << 20;
const TiB = 2 ** 40;
let w: Workdir;
const base = new Map<string, Buffer>();

/** A fresh copy of a base image. */
const img = (name: string) => Buffer.from(base.get(name)!);
const ready = (t: TestContext) => requireTool(t, 'qemu-img');

before(async () => {
  if (!hasCommand('qemu-img')) return;
  w = await Workdir.create('imago-hostile-');
  const payload = await w.payload();
  const convert = async (name: string, ...opts: string[]) => {
    await w.qemuImg('convert', '-f', 'raw', ...opts, payload, name);
    base.set(name, await w.read(name));
  };
  await convert('q3.qcow2', '-O', 'qcow2', '-o', 'compat=1.1');
  await convert('sparse.vmdk', '-O', 'vmdk', '-o', 'subformat=monolithicSparse');
  await convert('stream.vmdk', '-O', 'vmdk', '-o', 'subformat=streamOptimized');
  await convert('dynamic.vhd', '-O', 'vpc', '-o', 'subformat=dynamic');
  await convert('fixed.vhd', '-O', 'vpc', '-o', 'subformat=fixed');
  await convert('dynamic.vhdx', '-O', 'vhdx', '-o', 'block_size=1M');
  await convert('dynamic.vdi', '-O', 'vdi');
  await w.qemuImg('convert', '-f', 'raw', '-O', 'qcow2', '-o', 'compat=1.1', payload, 'snap.qcow2');
  await w.qemuImg('snapshot', '-c', 's1', 'snap.qcow2');
  base.set('snap.qcow2', await w.read('snap.qcow2'));
});

after(async () => {
  await w?.remove();
});

/** `qemu-img create [args] name size`, read back. */
async function created(name: string, size: string, ...args: string[]): Promise<Buffer> {
  await w.qemuImg('create', '-q', ...args, name, size);
  return w.read(name);
}

describe('hostile qcow2', () => {
  it('the synthetic qcow2 builder passes qemu-img check (so the unit tests start from valid images)', async (t) => {
    if (!ready(t)) return;
    for (const q of [qcow2(), qcow2({ version: 2 }), qcow2({ clusterBits: 16, size: 64 * MiB, dataClusters: 3 })]) {
      await w.write('synth.qcow2', q.buf);
      await w.qemuImg('check', '-f', 'qcow2', 'synth.qcow2');
    }
  });

  it('refuses backing files named as json:, protocol URLs and relative paths', async (t) => {
    if (!ready(t)) return;
    const json = 'json:{"driver":"raw","file":{"driver":"file","filename":"/etc/hostname"}}';
    for (const [backing, kind] of [[json, /json:/], ['nbd://127.0.0.1:10809/export', /protocol/], ['neighbour.qcow2', /relative/]] as const) {
      const v = await inspectBytesBoth(await created('b.qcow2', '16M', '-f', 'qcow2', '-b', backing, '-F', 'raw', '-u', '-o', 'compat=1.1'));
      assertRefused(v, 'backing_file', backing);
      assert.match(!v.ok ? v.message : '', kind);
    }
  });

  it('refuses a backing file expressed only through the backing-format extension or the size field', async (t) => {
    if (!ready(t)) return;
    const b = await created('b.qcow2', '16M', '-f', 'qcow2', '-b', '/etc/passwd', '-F', 'raw', '-u', '-o', 'compat=1.1');
    const extOnly = Buffer.from(b);
    extOnly.fill(0, 8, 20); // no backing_file_offset/size; the 0xE2792ACA extension stays
    assertRefused(await inspectBytesBoth(extOnly), 'backing_file');
    const sizeOnly = img('q3.qcow2');
    sizeOnly.writeUInt32BE(11, 16);
    assertRefused(await inspectBytesBoth(sizeOnly), 'backing_file');
  });

  it('refuses an external data file named by the extension alone or flagged by the bit alone', async (t) => {
    if (!ready(t)) return;
    const d = await created('d.qcow2', '16M', '-f', 'qcow2', '-o', 'compat=1.1,data_file=data.raw');
    const extOnly = Buffer.from(d);
    extOnly.writeBigUInt64BE(0n, 72);
    assertRefused(await inspectBytesBoth(extOnly), 'data_file');
    const bitOnly = img('q3.qcow2');
    bitOnly.writeBigUInt64BE(4n, 72);
    assertRefused(await inspectBytesBoth(bitOnly), 'data_file');
  });

  it('refuses L1, refcount and snapshot tables beyond the end of the file', async (t) => {
    if (!ready(t)) return;
    const q = img('q3.qcow2');
    const beyond = BigInt(q.length + 16 * 65536);
    for (const field of [40, 48]) {
      const b = Buffer.from(q);
      b.writeBigUInt64BE(beyond, field);
      assertRefused(await inspectBytesBoth(b), 'truncated', `field ${field}`);
    }
    const s = img('snap.qcow2');
    assertAccepted(await inspectBytesBoth(s), 'qcow2', 8 * MiB);
    s.writeBigUInt64BE(beyond, 64);
    assertRefused(await inspectBytesBoth(s), 'truncated', 'snapshot table');
  });

  it('refuses a qcow2 cut after its metadata (only data clusters missing), which qemu-img info does not notice', async (t) => {
    if (!ready(t)) return;
    const q = img('q3.qcow2');
    const cut = q.subarray(0, Math.floor(q.length * 0.75));
    await w.write('cut.qcow2', cut);
    assert.match(await w.qemuImg('info', '-f', 'qcow2', 'cut.qcow2'), /virtual size/);
    assertRefused(await inspectBoth(w.path('cut.qcow2')), 'truncated');
  });

  it('refuses a 2 TiB virtual size unless the limit allows it', async (t) => {
    if (!ready(t)) return;
    const big = await created('big.qcow2', '2T', '-f', 'qcow2');
    assertRefused(await inspectBytesBoth(big), 'virtual_size_too_large');
    assertAccepted(await inspectBytesBoth(big, { maxVirtualSize: 4 * TiB }), 'qcow2', 2 * TiB);
  });

  it('refuses, early, a raw upload that starts with a qcow2 header', async (t) => {
    if (!ready(t)) return;
    const raw = Buffer.alloc(4 * MiB, 0x61);
    img('q3.qcow2').copy(raw, 0, 0, 512);
    const { verdict, earlyAt } = streamVerdict(raw, { declaredFormat: 'raw' }, [4096]);
    assertRefused(verdict, 'format_mismatch');
    assert.equal(earlyAt, 4096, 'known in the first chunk');
    assertRefused(await inspectBytesBoth(raw, { declaredFormat: 'raw' }), 'format_mismatch');
    assertRefused(await inspectBytesBoth(raw), ['truncated', 'invalid_header']);
  });

  it('refuses a backing file within the first cluster of a stream', async (t) => {
    if (!ready(t)) return;
    const b = await created('b.qcow2', '16M', '-f', 'qcow2', '-b', '/etc/passwd', '-F', 'raw', '-u');
    const { verdict, earlyAt } = streamVerdict(Buffer.concat([b, Buffer.alloc(8 * MiB)]), { declaredFormat: 'qcow2' }, [65536]);
    assertRefused(verdict, 'backing_file');
    assert.equal(earlyAt, 65536);
  });

  it('refuses a gzip-compressed qcow2 however it is declared', async (t) => {
    if (!ready(t)) return;
    const gz = gzipSync(img('q3.qcow2'));
    assertRefused(await inspectBytesBoth(gz), 'unsupported_format');
    for (const declared of ['qcow2', 'raw']) assertRefused(await inspectBytesBoth(gz, { declaredFormat: declared }), ['unsupported_format', 'format_mismatch']);
  });
});

/** Rewrites the embedded descriptor of a sparse VMDK. */
function withDescriptor(vmdk: Buffer, edit: (text: string) => string): Buffer {
  const b = Buffer.from(vmdk);
  const at = Number(b.readBigUInt64LE(28)) * 512;
  const size = Number(b.readBigUInt64LE(36)) * 512;
  const text = b.subarray(at, at + size).toString('latin1').split('\0')[0]!;
  const next = Buffer.from(edit(text), 'latin1');
  assert.ok(next.length < size);
  b.fill(0, at, at + size);
  next.copy(b, at);
  return b;
}

describe('hostile vmdk', () => {
  const extent = /^RW (\d+) SPARSE "[^"]+"$/m;

  it('refuses extents with absolute or relative paths, other types, or more than one', async (t) => {
    if (!ready(t)) return;
    for (const variant of [
      (s: string) => s.replace(extent, 'RW $1 SPARSE "/etc/passwd"'),
      (s: string) => s.replace(extent, 'RW $1 SPARSE "../other-tenant.vmdk"'),
      (s: string) => s.replace(extent, 'RW $1 SPARSE "nbd:127.0.0.1:10809"'),
      (s: string) => s.replace(extent, 'RW $1 FLAT "other.img" 0'),
      (s: string) => s.replace(extent, '$&\nRW 2048 FLAT "/etc/hostname" 0'),
      (s: string) => s.replace(extent, '  rw $1 flat "/etc/hostname" 0'),
      (s: string) => s.replace('monolithicSparse', 'twoGbMaxExtentSparse'),
    ]) {
      assertRefused(await inspectBytesBoth(withDescriptor(img('sparse.vmdk'), variant)), 'vmdk_extent_outside', variant.toString());
    }
  });

  it('refuses a parent disk named by parentFileNameHint or parentCID', async (t) => {
    if (!ready(t)) return;
    for (const variant of [
      (s: string) => s.replace('parentCID=ffffffff', 'parentCID=ffffffff\nparentFileNameHint="/var/lib/imago/other.vmdk"'),
      (s: string) => s.replace('parentCID=ffffffff', 'parentCID=12345678'),
    ]) {
      assertRefused(await inspectBytesBoth(withDescriptor(img('stream.vmdk'), variant)), 'backing_file');
    }
  });

  it('refuses a sparse header with capacity 0 (qemu reads the descriptor as a descriptor file)', async (t) => {
    if (!ready(t)) return;
    const b = withDescriptor(img('sparse.vmdk'), (s) => s.replace(extent, 'RW 2048 FLAT "/etc/hostname" 0'));
    b.writeBigUInt64LE(0n, 12);
    assertRefused(await inspectBytesBoth(b), 'vmdk_extent_outside');
  });

  it('refuses text descriptors however they are dressed', async (t) => {
    if (!ready(t)) return;
    for (const text of [
      '# Disk DescriptorFile\r\nversion=1\r\nCID=1\r\nparentCID=ffffffff\r\ncreateType="monolithicSparse"\r\nRW 2048 SPARSE "self.vmdk"\r\n',
      '#\n \n\nversion=2\ncreateType="vmfs"\nRW 2048 VMFS "/dev/sda"\n',
      'version=1\ncreateType="monolithicFlat"\nRW 2048 ZERO\n',
    ]) {
      assertRefused(await inspectBytesBoth(Buffer.from(text, 'latin1')), 'vmdk_extent_outside', JSON.stringify(text));
    }
  });

  it('refuses truncated sparse and streamOptimized VMDKs', async (t) => {
    if (!ready(t)) return;
    for (const name of ['sparse.vmdk', 'stream.vmdk']) {
      const b = img(name);
      assertRefused(await inspectBytesBoth(b.subarray(0, Math.floor(b.length * 0.6))), 'truncated', name);
    }
  });

  it('refuses a descriptor larger than the capture limit, and binary descriptors', async (t) => {
    if (!ready(t)) return;
    const big = Buffer.concat([img('sparse.vmdk'), Buffer.alloc(4 * MiB, 0x41)]);
    big.writeBigUInt64LE(BigInt(big.length / 512 - 8192), 28);
    big.writeBigUInt64LE(8192n, 36);
    assertRefused(await inspectBytesBoth(big), ['invalid_header', 'truncated']);
    assertRefused(await inspectBytesBoth(withDescriptor(img('sparse.vmdk'), (s) => s + '\x01\x02')), 'invalid_header');
    assertRefused(await inspectBytesBoth(withDescriptor(img('sparse.vmdk'), (s) => s + 'createType="vmfs"\n')), 'invalid_header', 'repeated key');
  });

  it('refuses a 2 TiB VMDK', async (t) => {
    if (!ready(t)) return;
    assertRefused(await inspectBytesBoth(await created('big.vmdk', '2T', '-f', 'vmdk')), 'virtual_size_too_large');
  });
});

describe('hostile vhd', () => {
  /** Sets the disk type in both footers of a dynamic VHD. */
  function retype(b: Buffer, type: number): Buffer {
    for (const at of [0, b.length - 512]) {
      const f = b.subarray(at, at + 512);
      f.writeUInt32BE(type, 60);
      vhdChecksum(f, 64);
    }
    return b;
  }

  it('refuses a differencing disk, by footer type or by parent name', async (t) => {
    if (!ready(t)) return;
    assertRefused(await inspectBytesBoth(retype(img('dynamic.vhd'), 4)), 'backing_file');
    const named = img('dynamic.vhd');
    const dh = named.subarray(512, 1536);
    Buffer.from('parent.vhd', 'utf16le').swap16().copy(dh, 64);
    vhdChecksum(dh, 36);
    assertRefused(await inspectBytesBoth(named), 'backing_file');
    const fixed = img('fixed.vhd');
    const f = fixed.subarray(fixed.length - 512);
    f.writeUInt32BE(4, 60);
    vhdChecksum(f, 64);
    assertRefused(await inspectBytesBoth(fixed), 'backing_file');
  });

  it('refuses dynamic VHDs that lost their footer or whose blocks lie beyond the end', async (t) => {
    if (!ready(t)) return;
    const d = img('dynamic.vhd');
    assertRefused(await inspectBytesBoth(d.subarray(0, d.length - 512)), 'truncated');
    assertRefused(await inspectBytesBoth(d.subarray(0, Math.floor(d.length / 2))), 'truncated');
    const bat = Number(d.readBigUInt64BE(512 + 16));
    d.writeUInt32BE(0x00ffff00, bat);
    assertRefused(await inspectBytesBoth(d), 'truncated');
  });

  it('accepts a fixed VHD declared vhd (or vpc) but not declared raw', async (t) => {
    if (!ready(t)) return;
    const f = img('fixed.vhd');
    const qemuSize = JSON.parse(await w.qemuImg('info', '--output=json', '-f', 'vpc', 'fixed.vhd'))['virtual-size'];
    assertAccepted(await inspectBytesBoth(f, { declaredFormat: 'vhd' }), 'vhd', qemuSize);
    assertAccepted(await inspectBytesBoth(f, { declaredFormat: 'vpc' }), 'vhd');
    assertRefused(await inspectBytesBoth(f, { declaredFormat: 'raw' }), 'format_mismatch');
  });
});

const vhdxGuid = (text: string) => {
  const b = Buffer.from(text.replace(/-/g, ''), 'hex');
  b.subarray(0, 4).reverse();
  b.subarray(4, 6).reverse();
  b.subarray(6, 8).reverse();
  return b;
};

describe('hostile vhdx', () => {
  const metadataOffset = (b: Buffer) => {
    const rt = b.subarray(192 * 1024);
    for (let i = 0; i < rt.readUInt32LE(8); i++) {
      const e = rt.subarray(16 + 32 * i);
      if (e.subarray(0, 16).equals(vhdxGuid('8B7CA206-4790-4B9A-B8FE-575F050F886E'))) return Number(e.readBigUInt64LE(16));
    }
    throw new Error('no metadata region');
  };
  /** Appends an entry to the metadata table (which has no checksum). */
  function addItem(b: Buffer, id: Buffer, flags: number, body: Buffer): Buffer {
    const meta = metadataOffset(b);
    const count = b.readUInt16LE(meta + 10);
    const e = b.subarray(meta + 32 + 32 * count);
    id.copy(e, 0);
    const itemOffset = MiB - 8192;
    e.writeUInt32LE(itemOffset, 16);
    e.writeUInt32LE(body.length, 20);
    e.writeUInt32LE(flags, 24);
    body.copy(b, meta + itemOffset);
    b.writeUInt16LE(count + 1, meta + 10);
    return b;
  }

  it('refuses a parent locator metadata item, or the HasParent flag', async (t) => {
    if (!ready(t)) return;
    const locator = Buffer.alloc(512);
    vhdxGuid('B04AEFB7-D19E-4A81-B789-25B8E9445913').copy(locator, 0);
    locator.writeUInt16LE(1, 18);
    const key = Buffer.from('relative_path', 'utf16le');
    const value = Buffer.from('..\\parent.vhdx', 'utf16le');
    locator.writeUInt32LE(64, 20);
    locator.writeUInt32LE(64 + key.length, 24);
    locator.writeUInt16LE(key.length, 28);
    locator.writeUInt16LE(value.length, 30);
    key.copy(locator, 64);
    value.copy(locator, 64 + key.length);
    const v = await inspectBytesBoth(addItem(img('dynamic.vhdx'), vhdxGuid('A8D35F2D-B30B-454D-ABF7-D3D84834AB0C'), 4, locator));
    assertRefused(v, 'backing_file');
    assert.match(!v.ok ? v.message : '', /relative_path/);

    const flagged = img('dynamic.vhdx');
    const meta = metadataOffset(flagged);
    for (let i = 0; i < flagged.readUInt16LE(meta + 10); i++) {
      const e = flagged.subarray(meta + 32 + 32 * i);
      if (e.subarray(0, 16).equals(vhdxGuid('CAA16737-FA36-4D43-B3B6-33F0AA44E76B'))) flagged[meta + e.readUInt32LE(16) + 4]! |= 2;
    }
    assertRefused(await inspectBytesBoth(flagged), 'backing_file');
  });

  it('refuses unknown required metadata items and regions', async (t) => {
    if (!ready(t)) return;
    const unknownId = vhdxGuid('11111111-2222-3333-4444-555555555555');
    assertRefused(await inspectBytesBoth(addItem(img('dynamic.vhdx'), unknownId, 4, Buffer.alloc(8))), 'unknown_feature');
    const b = img('dynamic.vhdx');
    const rt = b.subarray(192 * 1024, 256 * 1024);
    const n = rt.readUInt32LE(8);
    const e = rt.subarray(16 + 32 * n);
    unknownId.copy(e, 0);
    e.writeBigUInt64LE(BigInt(64 * MiB), 16);
    e.writeUInt32LE(MiB, 24);
    e.writeUInt32LE(1, 28);
    rt.writeUInt32LE(n + 1, 8);
    rt.writeUInt32LE(0, 4);
    rt.writeUInt32LE(crc32c(rt), 4);
    assertRefused(await inspectBytesBoth(b), 'unknown_feature');
  });

  it('refuses a log that needs replay', async (t) => {
    if (!ready(t)) return;
    const b = img('dynamic.vhdx');
    for (const at of [64 * 1024, 128 * 1024]) {
      const h = b.subarray(at, at + 4096);
      h.fill(0x5a, 48, 64);
      h.writeUInt32LE(0, 4);
      h.writeUInt32LE(crc32c(h), 4);
    }
    assertRefused(await inspectBytesBoth(b), 'invalid_header');
  });

  it('refuses a truncated VHDX and a 2 TiB one', async (t) => {
    if (!ready(t)) return;
    const b = img('dynamic.vhdx');
    assertRefused(await inspectBytesBoth(b.subarray(0, Math.floor(b.length * 0.6))), 'truncated');
    assertRefused(await inspectBytesBoth(await created('big.vhdx', '2T', '-f', 'vhdx')), 'virtual_size_too_large');
  });
});

describe('hostile vdi', () => {
  it('refuses differencing images and parent links', async (t) => {
    if (!ready(t)) return;
    const parent = img('dynamic.vdi');
    parent.fill(0x42, 0x1b8, 0x1c8);
    assertRefused(await inspectBytesBoth(parent), 'backing_file');
    const diff = img('dynamic.vdi');
    diff.writeUInt32LE(4, 0x4c);
    assertRefused(await inspectBytesBoth(diff), 'backing_file');
  });

  it('refuses a truncated VDI and a 2 TiB one', async (t) => {
    if (!ready(t)) return;
    const b = img('dynamic.vdi');
    assertRefused(await inspectBytesBoth(b.subarray(0, Math.floor(b.length * 0.6))), 'truncated');
    assertRefused(await inspectBytesBoth(await created('big.vdi', '2T', '-f', 'vdi')), 'virtual_size_too_large');
  });
});

describe('hybrid and polyglot ISOs', () => {
  it('accepts xorriso GPT/MBR hybrids and refuses one whose system area holds a qcow2', async (t) => {
    if (!requireTool(t, 'xorriso')) return;
    await w.write('hello.txt', Buffer.from('hello\n'));
    const { execFile } = await import('node:child_process');
    const { promisify } = await import('node:util');
    await w.write('esp.img', Buffer.alloc(MiB));
    await promisify(execFile)('xorriso', ['-as', 'mkisofs', '-quiet', '-o', 'gpt.iso', '-V', 'T', '-append_partition', '2', '0xef', 'esp.img',
      '-appended_part_as_gpt', 'hello.txt'], { cwd: w.dir });
    const gptIso = await w.read('gpt.iso');
    const v = await inspectBytesBoth(gptIso, { declaredFormat: 'iso' });
    assertAccepted(v, 'iso', gptIso.length);
    assert.equal(v.ok && v.details.partitionTable, 'gpt');
    const poly = Buffer.from(gptIso);
    poly.fill(0, 0, 32 * 1024);
    qcow2().buf.copy(poly, 0);
    assertRefused(await inspectBytesBoth(poly), 'multiple_formats');
    assertRefused(await inspectBytesBoth(poly, { declaredFormat: 'iso' }), 'format_mismatch');
  });
});
