/**
 * Small synthetic disk images built byte by byte, for inspector tests that need a precise
 * layout to break (qemu-img would not write these mistakes). Each builder returns the bytes and
 * where it put things.
 */

export interface Qcow2Layout {
  buf: Buffer;
  clusterSize: number;
  l1Offset: number;
  l1Size: number;
  rtOffset: number;
  refblockOffset: number;
  l2Offset: number;
  dataOffset: number;
}

export interface Qcow2Options {
  version?: 2 | 3;
  clusterBits?: number;
  size?: number;
  /** Guest clusters 0..n-1 are allocated (data = their index byte). */
  dataClusters?: number;
  /** Raw header extensions (type, data) written after the header. */
  extensions?: readonly [number, Buffer][];
}

/**
 * A valid qcow2: header and extensions in cluster 0, refcount table in cluster 1, one refcount
 * block in cluster 2, the L1 table from cluster 3, one L2 table, then the data clusters.
 * `qemu-img check` accepts it (see the hostile tests).
 */
export function qcow2(options: Qcow2Options = {}): Qcow2Layout {
  const version = options.version ?? 3;
  const bits = options.clusterBits ?? 9;
  const c = 2 ** bits;
  const size = options.size ?? 1 << 20;
  const data = options.dataClusters ?? 2;
  const l1Size = Math.ceil(size / (c * (c / 8)));
  const l1Clusters = Math.max(1, Math.ceil((l1Size * 8) / c));
  const rtOffset = c;
  const refblockOffset = 2 * c;
  const l1Offset = 3 * c;
  const l2Offset = l1Offset + l1Clusters * c;
  const dataOffset = l2Offset + (data > 0 ? c : 0);
  const clusters = dataOffset / c + data;
  if (clusters > c / 2) throw new Error('qcow2 builder: the image needs more than one refcount block');
  const buf = Buffer.alloc(clusters * c);

  buf.write('QFI\xfb', 0, 'latin1');
  buf.writeUInt32BE(version, 4);
  buf.writeUInt32BE(bits, 20);
  buf.writeBigUInt64BE(BigInt(size), 24);
  buf.writeUInt32BE(l1Size, 36);
  buf.writeBigUInt64BE(BigInt(l1Offset), 40);
  buf.writeBigUInt64BE(BigInt(rtOffset), 48);
  buf.writeUInt32BE(1, 56);
  let at = 72;
  if (version === 3) {
    buf.writeUInt32BE(4, 96); // refcount_order: 16-bit refcounts
    buf.writeUInt32BE(112, 100); // header_length, compression_type byte 0 (zlib)
    at = 112;
  }
  for (const [type, body] of options.extensions ?? []) {
    buf.writeUInt32BE(type, at);
    buf.writeUInt32BE(body.length, at + 4);
    body.copy(buf, at + 8);
    at += 8 + Math.ceil(body.length / 8) * 8;
  }
  // End-of-extensions marker: 8 zero bytes (already zero).

  buf.writeBigUInt64BE(BigInt(refblockOffset), rtOffset);
  for (let i = 0; i < clusters; i++) buf.writeUInt16BE(1, refblockOffset + 2 * i);
  if (data > 0) {
    buf.writeBigUInt64BE(BigInt(l2Offset) | (1n << 63n), l1Offset);
    for (let i = 0; i < data; i++) {
      buf.writeBigUInt64BE(BigInt(dataOffset + i * c) | (1n << 63n), l2Offset + 8 * i);
      buf.fill(0x40 + i, dataOffset + i * c, dataOffset + (i + 1) * c);
    }
  }
  return { buf, clusterSize: c, l1Offset, l1Size, rtOffset, refblockOffset, l2Offset, dataOffset };
}

/** One's complement byte sum used by VHD footers and dynamic headers. */
export function vhdChecksum(b: Buffer, at: number): void {
  b.writeUInt32BE(0, at);
  let sum = 0;
  for (const x of b) sum += x;
  b.writeUInt32BE(~sum >>> 0, at);
}

/** A VHD footer (fixed disk by default) for `currentSize` bytes of data. */
export function vhdFooter(currentSize: number, options: { type?: number; creator?: string; chs?: [number, number, number] } = {}): Buffer {
  const f = Buffer.alloc(512);
  f.write('conectix', 0, 'latin1');
  f.writeUInt32BE(2, 8);
  f.writeUInt32BE(0x00010000, 12);
  f.writeBigUInt64BE(options.type === 2 || options.type === undefined ? 0xffffffffffffffffn : 512n, 16);
  f.write((options.creator ?? 'win ').padEnd(4, '\0'), 28, 'latin1');
  f.writeBigUInt64BE(BigInt(currentSize), 40);
  f.writeBigUInt64BE(BigInt(currentSize), 48);
  const [cyl, heads, secs] = options.chs ?? [Math.min(65535, Math.floor(currentSize / 512 / 16 / 63)), 16, 63];
  f.writeUInt16BE(cyl, 56);
  f[58] = heads;
  f[59] = secs;
  f.writeUInt32BE(options.type ?? 2, 60);
  vhdChecksum(f, 64);
  return f;
}

/** An MBR sector with the given (type, start LBA, sectors) entries. */
export function mbr(entries: readonly [number, number, number][], bootable = false): Buffer {
  const s = Buffer.alloc(512);
  entries.forEach(([type, start, count], i) => {
    const e = 446 + 16 * i;
    s[e] = bootable && i === 0 ? 0x80 : 0;
    s[e + 4] = type;
    s.writeUInt32LE(start, e + 8);
    s.writeUInt32LE(count, e + 12);
  });
  s[510] = 0x55;
  s[511] = 0xaa;
  return s;
}

/** A minimal ISO 9660 volume: system area, PVD, terminator, padding to `blocks` 2 KiB blocks. */
export function iso(blocks = 20, systemArea?: Buffer): Buffer {
  const buf = Buffer.alloc(blocks * 2048);
  systemArea?.copy(buf, 0);
  const pvd = buf.subarray(0x8000, 0x8800);
  pvd[0] = 1;
  pvd.write('CD001', 1, 'latin1');
  pvd[6] = 1;
  pvd.write('SYNTH'.padEnd(32, ' '), 40, 'latin1');
  pvd.writeUInt32LE(blocks, 80);
  pvd.writeUInt32BE(blocks, 84);
  pvd.writeUInt16LE(2048, 128);
  pvd.writeUInt16BE(2048, 130);
  const term = buf.subarray(0x8800, 0x9000);
  term[0] = 255;
  term.write('CD001', 1, 'latin1');
  term[6] = 1;
  return buf;
}
