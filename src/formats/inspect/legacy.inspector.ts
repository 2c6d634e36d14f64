/**
 * Formats qemu 7.2 probes that Imago refuses outright (disk-formats.md §2.2, §3.8): QED
 * ("QED\0"; oslo bans it), Parallels ("WithoutFreeSpace"/"WithouFreSpacExt"; oslo does not know
 * it, so Glance calls it raw while qemu opens it as parallels), Bochs and cloop. Detection is a
 * superset of qemu's probes (signature only), so nothing qemu would claim passes as raw.
 */
import { startsWith } from './bytes.js';
import { matched, read, refuse } from './task.js';
import type { Accept, InspectContext, Inspector, Task } from './task.js';

const SIGNATURES: readonly { format: string; at: number; magic: string; what: string }[] = [
  { format: 'qed', at: 0, magic: 'QED\0', what: 'QED images' },
  { format: 'parallels', at: 0, magic: 'WithoutFreeSpace', what: 'Parallels images' },
  { format: 'parallels', at: 0, magic: 'WithouFreSpacExt', what: 'Parallels (ploop) images' },
  { format: 'bochs', at: 0, magic: 'Bochs Virtual HD Image', what: 'Bochs images' },
  { format: 'cloop', at: 0, magic: '#!/bin/sh\n#V2.0 Format\n', what: 'cloop images' },
];

function* inspectLegacy(_ctx: InspectContext): Task<Accept | null> {
  const h = yield* read(0, 512);
  const hit = SIGNATURES.find((s) => startsWith(h, s.at, s.magic));
  if (!hit) return null;
  yield* matched(hit.format);
  refuse('unsupported_format', `${hit.what} are not accepted`);
}

export const legacyInspector: Inspector = { name: 'legacy', run: inspectLegacy };
