/**
 * ISO 9660 / UDF (ECMA-119 §8, ECMA-167 volume recognition sequence). The first 32 KiB are the
 * system area and may hold anything (an MBR/GPT for hybrid boot); the volume descriptors start
 * at sector 16 (0x8000), 2048 bytes each. qemu reads ISOs as raw, so the virtual size is the file
 * size (hybrids with appended partitions are larger than the volume). A file shorter than the
 * primary volume it declares is refused as truncated.
 */
import { fileSize, matched, read, refuse } from './task.js';
import type { Accept, InspectContext, Inspector, Task } from './task.js';

const START = 0x8000;
const SECTOR = 2048;
/** Descriptors looked at; real sets have a handful (PVD, boot record, Joliet SVD, terminator). */
const MAX_DESCRIPTORS = 32;
const ISO_IDS = new Set(['CD001']);
const UDF_IDS = new Set(['BEA01', 'NSR02', 'NSR03', 'TEA01', 'BOOT2', 'CDW02']);

function* inspectIso(ctx: InspectContext): Task<Accept | null> {
  let d = yield* read(START, SECTOR);
  const firstId = d.toString('latin1', 1, 6);
  if (d.length < 6 || !(ISO_IDS.has(firstId) || firstId === 'BEA01' || firstId === 'NSR02' || firstId === 'NSR03')) return null;
  yield* matched('iso', 'layout');
  let volumeBytes = 0;
  let udf = false;
  let label = '';
  for (let i = 0; i < MAX_DESCRIPTORS && d.length === SECTOR; i++) {
    const id = d.toString('latin1', 1, 6);
    if (id === 'CD001') {
      const type = d[0]!;
      if (type === 1) {
        // PVD: volume space size (both-endian u32 at 80) x logical block size (both-endian u16 at 128).
        const blocks = d.readUInt32LE(80);
        const blockSize = d.readUInt16LE(128);
        if (blocks !== d.readUInt32BE(84) || blockSize !== d.readUInt16BE(130) || ![512, 1024, 2048].includes(blockSize)) {
          refuse('invalid_header', 'the ISO 9660 primary volume descriptor is inconsistent');
        }
        volumeBytes = blocks * blockSize;
        label = d.toString('latin1', 40, 72).trim();
      }
      if (type === 255) break;
    } else if (UDF_IDS.has(id)) {
      udf ||= id === 'NSR02' || id === 'NSR03';
      if (id === 'TEA01') break;
    } else {
      break;
    }
    d = yield* read(START + (i + 1) * SECTOR, SECTOR);
  }
  if (volumeBytes === 0 && !udf) refuse('invalid_header', 'the ISO 9660 image has no primary volume descriptor');
  const size = yield* fileSize();
  if (volumeBytes > size) refuse('truncated', `the ISO volume declares ${volumeBytes} bytes but the file has ${size}`);
  return { virtualSize: size, details: { volumeSize: volumeBytes, udf, label: label.replace(/[^\x20-\x7e]/g, '') } };
}

export const isoInspector: Inspector = { name: 'iso', run: inspectIso };
