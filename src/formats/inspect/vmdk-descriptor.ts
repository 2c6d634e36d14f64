/**
 * VMDK text descriptor parsing (VMware "Virtual Disk Format 1.1" §"The Descriptor File";
 * qemu block/vmdk.c vmdk_probe / vmdk_parse_extents).
 */

export interface VmdkExtent {
  access: string;
  sectors: bigint;
  type: string;
  /** null for extents without a file (ZERO). */
  fileName: string | null;
  /** The offset after the file name (FLAT extents), if any. */
  offset: string | null;
  line: string;
}

export interface VmdkDescriptor {
  /** Keys lower-cased; values unquoted. */
  fields: Map<string, string>;
  extents: VmdkExtent[];
  /** Lines that are neither comments, key=value pairs nor extents. */
  unknown: string[];
  /** Keys given more than once (qemu reads the first, other tools may read the last). */
  repeated: string[];
}

/**
 * qemu's probe accepts a descriptor whose first line that is not a comment or blank is
 * `version=1|2|3`. This is a superset (any `version=` and blank lines of any whitespace), so
 * that whatever qemu would open as a descriptor is recognised here too. `head` is the probe
 * window (qemu reads 2 KiB).
 */
export function looksLikeDescriptor(head: Buffer): boolean {
  const text = head.toString('latin1');
  let at = 0;
  while (at < text.length) {
    let nl = text.indexOf('\n', at);
    if (nl < 0) nl = text.length;
    const line = text.slice(at, nl);
    at = nl + 1;
    if (line.startsWith('#') || line.trim() === '') continue;
    return /^\s*version\s*=/i.test(line);
  }
  return false;
}

const EXTENT = /^(\S+)\s+(\d+)\s+(\S+)(?:\s+"([^"]*)"(?:\s+(\S+))?)?\s*$/;
const ACCESS = new Set(['rw', 'rdonly', 'noaccess']);

export function parseDescriptor(text: string): VmdkDescriptor {
  const fields = new Map<string, string>();
  const extents: VmdkExtent[] = [];
  const unknown: string[] = [];
  const repeated: string[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/\r$/, '').trim();
    if (line === '' || line.startsWith('#')) continue;
    const first = line.split(/\s+/, 1)[0]!.toLowerCase();
    if (ACCESS.has(first)) {
      // qemu reads extents with sscanf, which skips leading blanks: so does this.
      const m = EXTENT.exec(line);
      extents.push(m
        ? { access: m[1]!.toUpperCase(), sectors: BigInt(m[2]!), type: m[3]!.toUpperCase(), fileName: m[4] ?? null, offset: m[5] ?? null, line }
        : { access: first.toUpperCase(), sectors: 0n, type: 'MALFORMED', fileName: null, offset: null, line });
      continue;
    }
    const kv = /^([A-Za-z0-9_.]+)\s*=\s*(.*)$/.exec(line);
    if (kv) {
      const key = kv[1]!.toLowerCase();
      if (fields.has(key)) repeated.push(key);
      else fields.set(key, kv[2]!.replace(/^"(.*)"$/, '$1'));
      continue;
    }
    unknown.push(line);
  }
  return { fields, extents, unknown, repeated };
}

/**
 * A bare file name, as a self-contained sparse VMDK names itself: no directory part, no
 * protocol prefix (qemu path_combine keeps "proto:..." names as they are), nothing relative.
 */
export function isBareFileName(name: string): boolean {
  return name.length > 0 && name.length <= 255 && !/[/\\:\x00-\x1f"]/.test(name) && name !== '.' && name !== '..';
}
