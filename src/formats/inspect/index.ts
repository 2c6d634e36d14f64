/**
 * Disk-image inspection: detect the format of untrusted bytes, read the virtual size, and refuse
 * anything dangerous, without ever running qemu-img on them (disk-formats.md).
 *
 * Entry points
 * - `new StreamingInspector(options)`: for uploads. `push(chunk)` each chunk in order, then
 *   `finish()` → verdict. Memory stays bounded whatever the stream: one capture is at most
 *   MAX_READ (1 MiB), a few inspectors capture at once, plus a 4 KiB tail window and bounded
 *   table lists: under 5 MiB worst case, a few KiB for ordinary images (task.ts). `push` returns
 *   a refusal as soon as it is certain (e.g. a qcow2 backing file after the first cluster, a
 *   qcow2 header in an upload declared raw after 72 bytes); `refusal` holds it too. The upload
 *   may stop there; `finish()` returns the same verdict.
 * - `inspectFile(path, options)` / `inspectSource({ size, read }, options)` /
 *   `detectFormat(pathOrBufferOrSource, options)`: random access, reads only metadata.
 * - `inspectBuffer(buf, options)`: synchronous, for small in-memory images (tests);
 *   `inspectStream(asyncIterable, options)`: a Readable through a StreamingInspector.
 * Both drivers run the same inspectors under the same rules and return the same verdict.
 *
 * Verdict (`InspectionVerdict`)
 * - `{ ok: true, format, virtualSize, fileSize, details }`: format is one of raw, qcow2, vmdk,
 *   vhd, vhdx, vdi, iso; virtualSize is what `qemu-img info -f <format>` reports; details are
 *   format facts (qcow2 version/clusterSize/compressionType/extendedL2/snapshots..., vmdk
 *   subformat, vhd subformat fixed|dynamic, raw/iso partitionTable mbr|gpt...).
 * - `{ ok: false, reason, message, format? }`: reason is one of REFUSAL_REASONS (the corpus
 *   manifest's keys), message is for people, format is the detected format when known.
 *   `refusalError(verdict)` makes the domain InvalidImageDataError (reason `format.<key>`).
 *
 * Options: `maxVirtualSize` (default 1 TiB), `allowEncrypted` (default false; qcow2 only),
 * `declaredFormat` (the client's disk_format: checked as `checkDeclaredFormat` does, and a
 * mismatch can stop an upload early), `requireFormatMatch` (default true).
 *
 * Rules: every format detector runs on the same bytes; exactly one may match, except raw layouts
 * over raw content (ISO + MBR/GPT is an ISO; a fixed VHD over a partitioned disk is a VHD).
 */
import { StreamCapture } from './capture.js';
import { bufferSource, inspectRandomAccess, openFileSource } from './random-access.js';
import type { ByteSource } from './random-access.js';
import { INSPECTORS } from './registry.js';
import type { InspectContext } from './task.js';
import { DEFAULT_MAX_VIRTUAL_SIZE } from './types.js';
import type { InspectionVerdict, InspectOptions, RefusedVerdict } from './types.js';
import { combine } from './verdict.js';
import type { VerdictPolicy } from './verdict.js';

export { ACCEPTED_FORMATS, DEFAULT_MAX_VIRTUAL_SIZE, REFUSAL_REASONS } from './types.js';
export type {
  AcceptedFormat, AcceptedVerdict, DetectedFormat, FormatDetails, InspectionVerdict, InspectOptions, RefusalReason, RefusedVerdict,
} from './types.js';
export { checkDeclaredFormat, refusalError } from './verdict.js';
export { bufferSource, openFileSource } from './random-access.js';
export type { ByteSource } from './random-access.js';
export { MAX_READ, TAIL_WINDOW } from './task.js';

function resolve(options: InspectOptions): { ctx: InspectContext; policy: VerdictPolicy } {
  const maxVirtualSize = options.maxVirtualSize ?? DEFAULT_MAX_VIRTUAL_SIZE;
  return {
    ctx: { maxVirtualSize, allowEncrypted: options.allowEncrypted ?? false },
    policy: { maxVirtualSize, declaredFormat: options.declaredFormat ?? null, requireFormatMatch: options.requireFormatMatch ?? true },
  };
}

const NO_VERDICT: RefusedVerdict = { ok: false, reason: 'invalid_header', message: 'inspector bug: no verdict' };

/** Inspects a stream in one pass; see the module comment. */
export class StreamingInspector {
  private capture: StreamCapture | null;
  private readonly policy: VerdictPolicy;
  private verdict: InspectionVerdict | null = null;
  private bytes = 0;
  private done = false;

  constructor(options: InspectOptions = {}) {
    const { ctx, policy } = resolve(options);
    this.policy = policy;
    this.capture = new StreamCapture(INSPECTORS, ctx);
  }

  /** Feeds the next chunk. Returns the refusal once it is certain (later pushes are ignored). */
  push(chunk: Buffer): RefusedVerdict | null {
    if (this.done) throw new Error('push() after finish()');
    this.bytes += chunk.length;
    if (this.capture && chunk.length > 0) {
      this.capture.push(chunk);
      this.verdict = combine(this.capture.states, this.policy, null);
      if (this.verdict) this.capture = null; // decided: nothing more to capture
    }
    return this.refusal;
  }

  /** The early refusal, if one is already certain. */
  get refusal(): RefusedVerdict | null {
    return this.verdict && !this.verdict.ok ? this.verdict : null;
  }

  /** Bytes pushed so far. */
  get bytesSeen(): number {
    return this.bytes;
  }

  /** Ends the stream and returns the verdict. */
  finish(): InspectionVerdict {
    if (!this.done) {
      this.done = true;
      if (this.capture) {
        this.capture.finish();
        this.verdict = combine(this.capture.states, this.policy, this.bytes) ?? NO_VERDICT;
        this.capture = null;
      }
    }
    return this.verdict ?? NO_VERDICT;
  }
}

/** Inspects anything with a size and ranged reads. */
export function inspectSource(source: ByteSource, options: InspectOptions = {}): Promise<InspectionVerdict> {
  const { ctx, policy } = resolve(options);
  return inspectRandomAccess(INSPECTORS, ctx, policy, source);
}

/** Inspects a local file (reads only its metadata). */
export async function inspectFile(path: string, options: InspectOptions = {}): Promise<InspectionVerdict> {
  const source = await openFileSource(path);
  try {
    return await inspectSource(source, options);
  } finally {
    await source.close();
  }
}

/** Synchronous inspection of bytes already in memory. */
export function inspectBuffer(buf: Buffer, options: InspectOptions = {}): InspectionVerdict {
  const inspector = new StreamingInspector(options);
  inspector.push(buf);
  return inspector.finish();
}

/** Streams an async iterable (e.g. a Readable) through a StreamingInspector. */
export async function inspectStream(chunks: AsyncIterable<Buffer>, options: InspectOptions = {}): Promise<InspectionVerdict> {
  const inspector = new StreamingInspector(options);
  for await (const chunk of chunks) if (inspector.push(chunk)) break;
  return inspector.finish();
}

/** The detect-format API: a path, a buffer or a source in, the verdict out. */
export function detectFormat(input: string | Buffer | ByteSource, options: InspectOptions = {}): Promise<InspectionVerdict> {
  if (typeof input === 'string') return inspectFile(input, options);
  if (Buffer.isBuffer(input)) return inspectSource(bufferSource(input), options);
  return inspectSource(input, options);
}
