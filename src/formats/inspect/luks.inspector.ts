/**
 * LUKS containers ("LUKS\xba\xbe", qemu's "luks" format driver; cryptsetup on-disk format).
 * Without a key nothing inside can be inspected, so a LUKS container is refused: as
 * `encrypted` by default, and as `unsupported_format` when encryption is allowed (that option
 * covers encrypted qcow2; a bare LUKS container is not a Glance disk format).
 */
import { startsWith } from './bytes.js';
import { matched, read, refuse } from './task.js';
import type { Accept, InspectContext, Inspector, Task } from './task.js';

const MAGIC = Buffer.from([0x4c, 0x55, 0x4b, 0x53, 0xba, 0xbe]);

function* inspectLuks(ctx: InspectContext): Task<Accept | null> {
  const h = yield* read(0, 8);
  if (!startsWith(h, 0, MAGIC)) return null;
  yield* matched('luks');
  const version = h.length >= 8 ? h.readUInt16BE(6) : 0;
  if (!ctx.allowEncrypted) refuse('encrypted', `a LUKS${version || ''} encrypted container cannot be inspected without its key`);
  refuse('unsupported_format', 'LUKS containers are not accepted as disk images');
}

export const luksInspector: Inspector = { name: 'luks', run: inspectLuks };
