import { describe, it } from 'node:test';
import { vhdChecksum, vhdFooter } from '../../../test/formats/support/images.js';
import { assertAccepted, assertRefused, inspectBytesBoth } from '../../../test/formats/support/inspect.js';

const MiB = 1 << 20;
const fixed = (data: number, footer: Buffer) => Buffer.concat([Buffer.alloc(data, 0x11), footer]);

describe('VHD footer (fixed disks)', () => {
  it('recognises a fixed VHD from the footer at the end and sizes it as qemu 7.2 does', async () => {
    // Hyper-V and other creators: current_size.
    assertAccepted(await inspectBytesBoth(fixed(4 * MiB, vhdFooter(4 * MiB, { creator: 'win ' }))), 'vhd', 4 * MiB);
    // Virtual PC and old qemu: the CHS geometry (here 4 x 16 x 63 sectors, below 4 MiB).
    assertAccepted(await inspectBytesBoth(fixed(4 * MiB, vhdFooter(4 * MiB, { creator: 'vpc ', chs: [4, 16, 63] }))), 'vhd', 4 * 16 * 63 * 512);
    // ... unless the geometry is the maximum one.
    assertAccepted(await inspectBytesBoth(fixed(4 * MiB, vhdFooter(4 * MiB, { creator: 'qemu', chs: [65535, 16, 255] }))), 'vhd', 4 * MiB);
  });

  it('treats a footer with a bad checksum as raw content', async () => {
    const f = vhdFooter(MiB);
    f[100] = f[100]! ^ 1;
    assertAccepted(await inspectBytesBoth(fixed(MiB, f)), 'raw', MiB + 512);
  });

  it('refuses a footer whose size disagrees with the file, or that is not a fixed disk', async () => {
    assertRefused(await inspectBytesBoth(fixed(MiB, vhdFooter(2 * MiB))), 'invalid_header');
    assertRefused(await inspectBytesBoth(fixed(MiB, vhdFooter(MiB, { type: 4 }))), 'backing_file');
    assertRefused(await inspectBytesBoth(fixed(MiB, vhdFooter(MiB, { type: 3 }))), 'invalid_header');
  });

  it('refuses a footer copy at offset 0 that does not describe a dynamic disk', async () => {
    const f = vhdFooter(MiB);
    const v = await inspectBytesBoth(Buffer.concat([f, Buffer.alloc(MiB - 512), f]));
    assertRefused(v, 'invalid_header');
    const unknown = vhdFooter(MiB, { type: 9 });
    vhdChecksum(unknown, 64);
    assertRefused(await inspectBytesBoth(Buffer.concat([unknown, Buffer.alloc(1024)])), 'invalid_header');
  });

  it('applies the virtual size limit and the 2040 GiB format maximum', async () => {
    assertRefused(await inspectBytesBoth(fixed(MiB, vhdFooter(MiB)), { maxVirtualSize: MiB / 2 }), 'virtual_size_too_large');
    const huge = vhdFooter(MiB, { chs: [65535, 16, 255] });
    huge.writeBigUInt64BE(BigInt(MiB), 48);
    vhdChecksum(huge, 64);
    assertAccepted(await inspectBytesBoth(fixed(MiB, huge), { maxVirtualSize: 2 ** 50 }), 'vhd', MiB);
  });
});
