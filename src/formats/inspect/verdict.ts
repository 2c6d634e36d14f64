/**
 * Turns what every inspector found into one verdict. Both drivers call `combine` with the same
 * states, so they agree; the streaming driver also calls it before the end, and it answers only
 * when no byte still to come could change the answer (early refusal).
 *
 * Inspectors are walked in priority order (registry.ts):
 * 1. The first matched `container` format is compared with the declared format: a mismatch is
 *    refused at once (so a qcow2 header in an upload declared raw stops the upload).
 * 2. The first refusal of any matched inspector wins.
 * 3. More than one match is a polyglot (`multiple_formats`), except raw layouts over raw
 *    content: ISO + MBR/GPT (hybrid ISOs) is an ISO, a fixed VHD over a partitioned or ISO
 *    payload is a VHD (disk-formats.md §2.3).
 * 4. Otherwise the chosen format is checked against the declared one and the size limit.
 */
import { InvalidImageDataError } from '../../domain/errors.js';
import { asRefusal, Refusal } from './task.js';
import type { Accept, Inspector, Role } from './task.js';
import { ACCEPTED_FORMATS } from './types.js';
import type { AcceptedFormat, InspectionVerdict, RefusedVerdict } from './types.js';

export interface InspectorState {
  readonly inspector: Inspector;
  /** Set by the inspector's `match` op as soon as it recognises its format. */
  match: { format: string; role: Role } | null;
  /** The inspector finished; `outcome` is final. */
  settled: boolean;
  /** null: no match. */
  outcome: Accept | Refusal | null;
}

export interface VerdictPolicy {
  maxVirtualSize: number;
  declaredFormat: string | null;
  requireFormatMatch: boolean;
}

/** Records an inspector's result, failing closed on contract violations. */
export function settleInspector(state: InspectorState, result: { value: unknown } | { error: unknown }): void {
  state.settled = true;
  const name = state.inspector.name;
  if ('error' in result) {
    const refusal = asRefusal(result.error);
    state.outcome = refusal;
    state.match ??= { format: refusal.format ?? name, role: 'container' };
    return;
  }
  const value = result.value as Accept | null;
  if (value === null) {
    state.outcome = state.match ? new Refusal('invalid_header', `inspector bug: ${name} matched but gave no verdict`) : null;
    return;
  }
  if (!state.match) {
    state.match = { format: name, role: 'container' };
    state.outcome = new Refusal('invalid_header', `inspector bug: ${name} accepted without matching`);
    return;
  }
  state.outcome = value;
}

export function refused(refusal: Refusal, format?: string): RefusedVerdict {
  const f = refusal.format ?? format;
  return f === undefined
    ? { ok: false, reason: refusal.reason, message: refusal.message }
    : { ok: false, reason: refusal.reason, message: refusal.message, format: f };
}

/** The verdict, or null while bytes still to come could change it (`fileSize` null: stream not finished). */
export function combine(states: readonly InspectorState[], policy: VerdictPolicy, fileSize: number | null): InspectionVerdict | null {
  let sawContainer = false;
  for (const s of states) {
    if (!s.match) {
      if (!s.settled) return null;
      continue;
    }
    if (s.match.role === 'container' && !sawContainer) {
      sawContainer = true;
      const mismatch = declaredMismatch(policy, s.match.format);
      if (mismatch) return mismatch;
    }
    if (!s.settled) return null;
    if (s.outcome instanceof Refusal) return refused(s.outcome, s.match.format);
  }
  if (fileSize === null) return null;

  const hits = states.filter((s) => s.match !== null);
  const roles = (role: Role) => hits.filter((s) => s.match!.role === role);
  const containers = roles('container');
  const wrappers = roles('wrapper');
  const layouts = roles('layout');
  if (containers.length + wrappers.length > 1 || (containers.length === 1 && hits.length > 1)) {
    const list = hits.map((s) => s.match!.format).join(', ');
    return { ok: false, reason: 'multiple_formats', message: `the content matches several formats (${list}); polyglot images are refused` };
  }
  const iso = layouts.find((s) => s.match!.format === 'iso');
  const table = layouts.find((s) => s.match!.format !== 'iso');
  const chosen = containers[0] ?? wrappers[0] ?? iso;
  const format = chosen ? chosen.match!.format : 'raw';
  const accept = chosen ? (chosen.outcome as Accept) : { virtualSize: fileSize, details: {} };
  const details = { ...(table ? (table.outcome as Accept).details : {}), ...accept.details };

  const mismatch = declaredMismatch(policy, format);
  if (mismatch) return mismatch;
  if (!(ACCEPTED_FORMATS as readonly string[]).includes(format)) {
    return { ok: false, reason: 'unsupported_format', message: `format ${format} is not accepted`, format };
  }
  if (accept.virtualSize > policy.maxVirtualSize) {
    return {
      ok: false, reason: 'virtual_size_too_large', format,
      message: `the virtual size ${accept.virtualSize} bytes is above the limit of ${policy.maxVirtualSize} bytes`,
    };
  }
  return { ok: true, format: format as AcceptedFormat, virtualSize: accept.virtualSize, fileSize, details };
}

function declaredMismatch(policy: VerdictPolicy, detected: string): RefusedVerdict | null {
  if (policy.declaredFormat === null) return null;
  return checkDeclaredFormat(policy.declaredFormat, detected, { requireMatch: policy.requireFormatMatch });
}

/** Declared names that mean "these bytes are the disk itself" (AMI family: Glance never inspects them). */
const RAW_DECLARATIONS = new Set(['raw', 'ami', 'ari', 'aki']);
/** Detected formats that every qemu consumer reads as raw bytes. */
const RAW_CONTENT = new Set(['raw', 'iso']);
const ALIASES: Readonly<Record<string, string>> = { vpc: 'vhd' };

/**
 * Glance `require_image_format_match` semantics, strict by default: the declared disk_format
 * must name the detected format. Differences from Glance, from disk-formats.md §2.3/§3.7:
 * - declared raw with any non-raw detection is refused, never waved through with a warning:
 *   a later consumer that probes would see the qcow2/VMDK (Nova bug 1221190, CVE-2026-24708);
 * - an ISO may be declared `iso` or `raw`: ISO 9660 is a layout of raw sectors and every qemu
 *   consumer reads it as raw, so the guest sees exactly the same bytes either way;
 * - a fixed VHD declared raw is refused: its disk is the file minus the footer;
 * - `ami`/`ari`/`aki` accept raw content only (Glance cannot inspect them either);
 * - `vpc` (qemu's name) is accepted for `vhd`.
 * With `requireMatch: false` a mismatch is tolerated, except raw-family declarations of content
 * that a probing consumer would read as another format: that is the attack, not a mislabel.
 */
export function checkDeclaredFormat(declared: string, detected: string, options: { requireMatch?: boolean } = {}): RefusedVerdict | null {
  const d = ALIASES[declared] ?? declared;
  const f = ALIASES[detected] ?? detected;
  if (d === f) return null;
  if (d === 'raw' && f === 'iso') return null;
  if (RAW_DECLARATIONS.has(d) && f === 'raw') return null;
  const rawDeclared = RAW_DECLARATIONS.has(d) || d === 'iso';
  if (options.requireMatch === false && !(rawDeclared && !RAW_CONTENT.has(f))) return null;
  return {
    ok: false,
    reason: 'format_mismatch',
    format: f,
    message: `the image was declared as ${declared} but its content is ${f}`,
  };
}

/**
 * The domain error for a refusal. Reasons become `format.<key>` (`format.backing_file`;
 * `format_mismatch` becomes `format.mismatch`), as ImagoError reasons are namespaced.
 */
export function refusalError(verdict: RefusedVerdict): InvalidImageDataError {
  return new InvalidImageDataError(verdict.message, { reason: `format.${verdict.reason.replace(/^format_/, '')}` });
}
