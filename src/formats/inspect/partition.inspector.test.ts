import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mbr } from '../../../test/formats/support/images.js';
import { assertAccepted, inspectBytesBoth } from '../../../test/formats/support/inspect.js';
import { crc32 } from './bytes.js';

const disk = (first: Buffer, size = 1 << 20) => Buffer.concat([first, Buffer.alloc(size - first.length)]);

/** A protective MBR plus a GPT header (and entry array) for 512-byte sectors. */
function gptDisk(partitions: number, corruptHeader = false): Buffer {
  const d = disk(mbr([[0xee, 1, 2047]]));
  const entries = d.subarray(1024, 1024 + 128 * 128);
  for (let i = 0; i < partitions; i++) entries.fill(0xab, i * 128, i * 128 + 16);
  const h = d.subarray(512, 604);
  h.write('EFI PART', 0, 'latin1');
  h.writeUInt32LE(0x00010000, 8);
  h.writeUInt32LE(92, 12);
  h.writeBigUInt64LE(1n, 24);
  h.writeBigUInt64LE(2n, 72);
  h.writeUInt32LE(128, 80);
  h.writeUInt32LE(128, 84);
  h.writeUInt32LE(crc32(entries), 88);
  h.writeUInt32LE(crc32(h), 16);
  if (corruptHeader) h[40] = h[40]! ^ 1;
  return d;
}

describe('partition tables', () => {
  it('reports MBR and GPT on raw disks', async () => {
    const m = await inspectBytesBoth(disk(mbr([[0x83, 2048, 100], [0x82, 4096, 100]], true)));
    assertAccepted(m, 'raw', 1 << 20);
    assert.deepEqual(m.ok && m.details, { partitionTable: 'mbr', partitions: 2 });
    const g = await inspectBytesBoth(gptDisk(3));
    assert.deepEqual(g.ok && g.details, { partitionTable: 'gpt', partitions: 3, gptEntriesValid: true });
    const bad = await inspectBytesBoth(gptDisk(3, true));
    assert.equal(bad.ok && bad.details.partitionTable, 'mbr', 'a GPT header with a bad CRC is not a GPT');
  });

  it('does not see an MBR in a FAT boot sector, bad boot flags or an empty table', async () => {
    const fat = mbr([[0x83, 1, 1]]);
    fat.writeUInt16LE(512, 11);
    fat[16] = 2;
    fat[21] = 0xf8;
    const flags = mbr([[0x83, 1, 1]]);
    flags[446] = 0x12;
    for (const sector of [fat, flags, mbr([])]) {
      const v = await inspectBytesBoth(disk(sector));
      assertAccepted(v, 'raw');
      assert.deepEqual(v.ok && v.details, {});
    }
  });
});
