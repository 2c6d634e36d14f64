/**
 * What an inspection verdict must look like, whatever the bytes: the shape the API documents
 * (src/formats/inspect/types.ts), values that are possible, and text that is safe to print. Image
 * content is attacker-controlled and verdicts end up in logs, API responses and terminals, so
 * messages and details must be printable ASCII (the inspectors quote names with `quote()`, which
 * may add an ellipsis).
 */
import type { InspectionVerdict, InspectOptions } from '../../src/formats/inspect/index.js';

// The lists are restated here rather than imported, so that the checks do not depend on the code
// they check (and do not run it).
const ACCEPTED_FORMATS = new Set(['raw', 'qcow2', 'vmdk', 'vhd', 'vhdx', 'vdi', 'iso']);
const REFUSAL_REASONS = new Set([
  'backing_file', 'data_file', 'vmdk_extent_outside', 'format_mismatch', 'multiple_formats', 'truncated', 'invalid_header',
  'virtual_size_too_large', 'unknown_feature', 'encrypted', 'unsupported_format',
]);
const NOT_PRINTABLE = /[^\x20-\x7e\u2026]/;
const MAX_MESSAGE = 4096;

/** Text with every unprintable character spelled as \xNN or \uNNNN, to show it in a report. */
function shown(text: string): string {
  return `"${text.replace(/[^\x20-\x7e]/g, (c) => {
    const n = c.charCodeAt(0);
    return n < 0x100 ? `\\x${n.toString(16).padStart(2, '0')}` : `\\u${n.toString(16).padStart(4, '0')}`;
  })}"`;
}

/** What is wrong with `v` as the verdict for a file of `fileSize` bytes under `options`. */
export function verdictProblems(v: InspectionVerdict, fileSize: number, options: InspectOptions): string[] {
  const out: string[] = [];
  if (typeof v !== 'object' || v === null) return ['the verdict is not an object'];
  if (v.ok === true) {
    if (!ACCEPTED_FORMATS.has(v.format)) out.push(`accepted format ${JSON.stringify(v.format)} is not an accepted format`);
    if (!Number.isSafeInteger(v.virtualSize) || v.virtualSize < 0) out.push(`virtualSize ${v.virtualSize} is not a size`);
    if (v.virtualSize > (options.maxVirtualSize ?? 2 ** 40)) out.push(`virtualSize ${v.virtualSize} is above maxVirtualSize`);
    if (v.fileSize !== fileSize) out.push(`fileSize ${v.fileSize} but the file has ${fileSize} bytes`);
    if ((v.format === 'raw' || v.format === 'iso') && v.virtualSize !== fileSize) out.push(`${v.format} virtualSize ${v.virtualSize} differs from the file size`);
    if (typeof v.details !== 'object' || v.details === null) out.push('details is not an object');
    else {
      for (const [key, value] of Object.entries(v.details)) {
        if (typeof value === 'number' ? !Number.isFinite(value) : typeof value !== 'string' && typeof value !== 'boolean') {
          out.push(`details.${key} is ${String(value)}`);
        } else if (typeof value === 'string' && NOT_PRINTABLE.test(value)) {
          out.push(`details.${key} carries unprintable characters from the image: ${shown(value)}`);
        }
      }
    }
  } else if (v.ok === false) {
    if (!REFUSAL_REASONS.has(v.reason)) out.push(`refusal reason ${JSON.stringify(v.reason)} is not a refusal reason`);
    if (typeof v.message !== 'string' || v.message.length === 0) out.push('the refusal has no message');
    else if (v.message.length > MAX_MESSAGE) out.push(`the refusal message is ${v.message.length} characters long`);
    else if (NOT_PRINTABLE.test(v.message)) out.push(`the refusal message carries unprintable characters: ${shown(v.message)}`);
    if (v.format !== undefined && (typeof v.format !== 'string' || NOT_PRINTABLE.test(v.format))) out.push(`refusal format ${shown(String(v.format))}`);
  } else {
    out.push(`verdict.ok is ${String((v as { ok: unknown }).ok)}`);
  }
  return out;
}

/**
 * The facts both drivers must agree on (messages may be worded differently), as text to compare:
 * JSON.stringify keeps key order, which the same inspector code makes the same in both drivers.
 */
export function essence(v: InspectionVerdict): string {
  return JSON.stringify(v.ok ? [v.format, v.virtualSize, v.fileSize, v.details] : [v.reason, v.format]);
}

export function summary(v: InspectionVerdict): string {
  return v.ok ? `accepted ${v.format} (virtual size ${v.virtualSize})` : `refused ${v.reason}${v.format ? ` (${v.format})` : ''}: ${v.message}`;
}

/**
 * Refusals the inspectors make when their own code failed (task.ts `asRefusal` turns any
 * exception into `invalid_header`, "the image could not be inspected: ..."; the drivers say
 * "inspector bug: ..."). They fail closed, as designed, but each is a bug the fuzzer should report.
 */
export function internalError(v: InspectionVerdict): string | null {
  if (v.ok) return null;
  return /^the image could not be inspected: |inspector bug/.test(v.message) ? v.message : null;
}
