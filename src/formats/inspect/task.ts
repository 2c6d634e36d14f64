/**
 * The contract between format inspectors and the two drivers that feed them bytes.
 *
 * An inspector is a generator that yields requests (`Op`s) for the byte ranges it needs and
 * receives the answers. The streaming driver (capture.ts) answers them as the bytes pass by;
 * the random-access driver (random-access.ts) answers them with reads. Both obey the same rules,
 * checked by `checkOp`, so an inspector returns the same verdict whichever driver runs it:
 *
 * - Forward only: every read or scan must start at or after the end of the thread's previous
 *   request, because a single pass cannot go back. An image whose metadata needs a backward
 *   jump is refused (`invalid_header`) by both drivers alike. Independent chains of requests
 *   (say a qcow2 snapshot table and its L1 table) run as parallel sub-tasks (`all`), each with
 *   its own position.
 * - Bounded: one read captures at most MAX_READ bytes; large tables are `scan`ned record by
 *   record and never held. Footers come from a trailing window of TAIL_WINDOW bytes.
 * - The file size and the tail are known only at the end of the stream; after asking for either
 *   a thread may not read again (the bytes are gone in a stream).
 */
import type { RefusalReason } from './types.js';

/** Largest single captured region (the VMDK descriptor is capped at 1 MiB by qemu too). */
export const MAX_READ = 1 << 20;
/** Trailing bytes kept for footers (VHD: 512; streamOptimized VMDK: 1536). */
export const TAIL_WINDOW = 4096;
/**
 * Most bytes of second-level tables (qcow2 refcount blocks, VMDK grain tables) scanned per
 * image. Real images need far less (64 MiB of VMDK grain tables map 1 TiB); a hostile table set
 * pointing everywhere would otherwise make a random-access inspection read the whole file.
 * Beyond it the second-level check is skipped, identically in both drivers.
 */
export const SECOND_LEVEL_SCAN_BUDGET = 64 << 20;
/** Offsets read from headers are clamped here: beyond any real file, still exact in a double. */
export const OFFSET_CLAMP = 2 ** 52;

/**
 * How a matched format relates to the bytes:
 * - `container`: a format that owns the file from offset 0 (qcow2, vmdk, vhdx, gzip...);
 * - `layout`: a description of raw content (ISO 9660, MBR/GPT), which qemu treats as raw;
 * - `wrapper`: raw content plus a trailer (fixed VHD footer, DMG trailer).
 */
export type Role = 'container' | 'layout' | 'wrapper';

export type ScanSink = (records: Buffer, firstRecord: number) => void;

export type Op =
  | { readonly op: 'read'; readonly offset: number; readonly length: number }
  | { readonly op: 'scan'; readonly offset: number; readonly length: number; readonly record: number; readonly sink: ScanSink }
  | { readonly op: 'size' }
  | { readonly op: 'tail'; readonly length: number }
  | { readonly op: 'match'; readonly format: string; readonly role: Role }
  | { readonly op: 'all'; readonly tasks: readonly Task<unknown>[] };

export type Task<T> = Generator<Op, T, unknown>;

/** A refusal raised by an inspector (or by a driver on its behalf). */
export class Refusal extends Error {
  readonly reason: RefusalReason;
  readonly format: string | undefined;
  constructor(reason: RefusalReason, message: string, format?: string) {
    super(message);
    this.name = 'Refusal';
    this.reason = reason;
    this.format = format;
  }
}

export function refuse(reason: RefusalReason, message: string): never {
  throw new Refusal(reason, message);
}

/** What an inspector returns when its format matched and passed every check. */
export interface Accept {
  virtualSize: number;
  details: Record<string, string | number | boolean>;
}

export interface InspectContext {
  readonly maxVirtualSize: number;
  readonly allowEncrypted: boolean;
}

export interface Inspector {
  /** Name used in messages; the matched format comes from the `match` op. */
  readonly name: string;
  run(ctx: InspectContext): Task<Accept | null>;
}

/** Bytes [offset, offset+length); shorter only when the file ends first. */
export function* read(offset: number, length: number): Task<Buffer> {
  return (yield { op: 'read', offset, length }) as Buffer;
}

/** Feeds [offset, offset+length) to `sink` in whole records, without keeping it. Returns records delivered. */
export function* scan(offset: number, length: number, record: number, sink: ScanSink): Task<number> {
  return (yield { op: 'scan', offset, length, record, sink }) as number;
}

/** The total size; known at the end of a stream. */
export function* fileSize(): Task<number> {
  return (yield { op: 'size' }) as number;
}

/** The last min(length, size) bytes; known at the end of a stream. */
export function* tail(length: number): Task<Buffer> {
  return (yield { op: 'tail', length }) as Buffer;
}

/** Declares that the inspector recognised its format (before its checks finish). */
export function* matched(format: string, role: Role = 'container'): Task<void> {
  yield { op: 'match', format, role };
}

/**
 * Runs tasks as independent parallel threads and returns their results in order. If any fails,
 * the failure of the lowest-index failing task is rethrown (deterministic in both drivers).
 */
export function* all<T extends readonly unknown[]>(tasks: { readonly [K in keyof T]: Task<T[K]> }): Task<T> {
  return (yield { op: 'all', tasks: tasks as readonly Task<unknown>[] }) as T;
}

/** Per-thread state both drivers keep identically. */
export interface ThreadPosition {
  /** End of the thread's last satisfied read/scan: new ones must start here or later. */
  pos: number;
  /** The thread asked for the size or tail, so it may no longer read. */
  ended: boolean;
}

/** The shared admission rule for read/scan ops; a Refusal to throw into the task, or null. */
export function checkOp(op: Op, thread: ThreadPosition): Refusal | null {
  if (op.op !== 'read' && op.op !== 'scan') return null;
  if (thread.ended) throw new Error(`inspector bug: ${op.op} after the end of the stream was requested`);
  if (!Number.isSafeInteger(op.offset) || !Number.isSafeInteger(op.length) || op.offset < 0 || op.length < 0
    || op.offset > OFFSET_CLAMP || op.length > OFFSET_CLAMP) {
    return new Refusal('invalid_header', `structure offset ${op.offset} or length ${op.length} is out of range`);
  }
  if (op.op === 'read' && op.length > MAX_READ) {
    return new Refusal('invalid_header', `a ${op.length}-byte metadata region exceeds the inspector's ${MAX_READ}-byte capture limit`);
  }
  if (op.op === 'scan' && (!Number.isSafeInteger(op.record) || op.record < 1)) throw new Error('inspector bug: scan record size');
  if (op.offset < thread.pos) {
    return new Refusal('invalid_header',
      `metadata at offset ${op.offset} lies before offset ${thread.pos}, which the structures pointing to it already passed; ` +
      'such layouts cannot be inspected in one pass');
  }
  return null;
}

/** Normalises anything an inspector threw into a Refusal (fail closed on inspector bugs). */
export function asRefusal(err: unknown): Refusal {
  if (err instanceof Refusal) return err;
  const detail = err instanceof Error ? err.message : String(err);
  return new Refusal('invalid_header', `the image could not be inspected: ${detail}`);
}
