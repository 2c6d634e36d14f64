/**
 * MBR and GPT partition tables (UEFI 2.10 §5.2-5.3). They describe raw content, which qemu
 * treats as raw, so this inspector never refuses: it only reports the table (raw and ISO
 * details) and makes a partition table inside a container format count as a second match
 * (a polyglot). Detection is strict enough that header bytes of other formats cannot pass for
 * an MBR: signature 0x55AA, boot flags 0x00/0x80, at least one used entry, not a FAT boot sector.
 */
import { crc32, crcWithHole, startsWith } from './bytes.js';
import { matched, read } from './task.js';
import type { Accept, InspectContext, Inspector, Task } from './task.js';

const MAX_ENTRY_ARRAY = 1 << 20;

function plausibleMbr(s: Buffer): boolean {
  if (s.length < 512 || s[510] !== 0x55 || s[511] !== 0xaa) return false;
  // A FAT volume boot record carries the same signature (oslo excludes num_fats 2 + media 0xF8).
  const bytesPerSector = s.readUInt16LE(11);
  if ([512, 1024, 2048, 4096].includes(bytesPerSector) && (s[16] === 1 || s[16] === 2) && s[21]! >= 0xf0) return false;
  let used = 0;
  for (let i = 0; i < 4; i++) {
    const e = 446 + 16 * i;
    if (s[e] !== 0x00 && s[e] !== 0x80) return false;
    if (s[e + 4] !== 0 && s.readUInt32LE(e + 12) !== 0) used++;
  }
  return used > 0;
}

interface Gpt { partitions: number; entriesValid: boolean }

/** A GPT header at LBA 1 for sector size `ss`, and its partition count. */
function* gptAt(ss: number): Task<Gpt | null> {
  const h = yield* read(ss, Math.min(ss, 512));
  if (!startsWith(h, 0, 'EFI PART') || h.length < 92) return null;
  const headerSize = h.readUInt32LE(12);
  if (headerSize < 92 || headerSize > h.length || crcWithHole(crc32, h.subarray(0, headerSize), 16) !== h.readUInt32LE(16)) return null;
  if (h.readBigUInt64LE(24) !== 1n) return null;
  const entriesLba = h.readBigUInt64LE(72);
  const count = h.readUInt32LE(80);
  const entrySize = h.readUInt32LE(84);
  const bytes = count * entrySize;
  const at = Number(entriesLba) * ss;
  if (entrySize < 128 || bytes > MAX_ENTRY_ARRAY || entriesLba > 1n << 40n || at < ss + h.length) return { partitions: 0, entriesValid: false };
  const entries = yield* read(at, bytes);
  if (entries.length < bytes) return { partitions: 0, entriesValid: false };
  let partitions = 0;
  for (let i = 0; i < count; i++) if (!entries.subarray(i * entrySize, i * entrySize + 16).every((b) => b === 0)) partitions++;
  return { partitions, entriesValid: crc32(entries) === h.readUInt32LE(88) };
}

function* inspectPartitionTable(_ctx: InspectContext): Task<Accept | null> {
  const mbr = yield* read(0, 512);
  if (!plausibleMbr(mbr)) return null;
  const types = [0, 1, 2, 3].map((i) => mbr[446 + 16 * i + 4]!);
  if (types.includes(0xee)) {
    const gpt = (yield* gptAt(512)) ?? (yield* gptAt(4096));
    if (gpt) {
      yield* matched('gpt', 'layout');
      return { virtualSize: 0, details: { partitionTable: 'gpt', partitions: gpt.partitions, gptEntriesValid: gpt.entriesValid } };
    }
  }
  yield* matched('mbr', 'layout');
  return { virtualSize: 0, details: { partitionTable: 'mbr', partitions: types.filter((t) => t !== 0).length } };
}

export const partitionTableInspector: Inspector = { name: 'partition-table', run: inspectPartitionTable };
