/**
 * Apple DMG (UDIF): a 512-byte "koly" trailer at the end of the file (version 4, header size
 * 512). qemu's dmg driver opens it when told to (it probes only by file name); Imago refuses it.
 */
import { startsWith } from './bytes.js';
import { matched, refuse, tail } from './task.js';
import type { Accept, InspectContext, Inspector, Task } from './task.js';

function* inspectDmg(_ctx: InspectContext): Task<Accept | null> {
  const t = yield* tail(512);
  if (t.length < 512 || !startsWith(t, 0, 'koly') || t.readUInt32BE(4) !== 4 || t.readUInt32BE(8) !== 512) return null;
  yield* matched('dmg', 'wrapper');
  refuse('unsupported_format', 'Apple DMG images are not accepted');
}

export const dmgInspector: Inspector = { name: 'dmg', run: inspectDmg };
