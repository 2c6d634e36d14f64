/**
 * The two JSON-patch media types Glance accepts for PATCH /v2/images/{id}, read into
 * domain PatchOperations. v2.1: `[{"op": "replace", "path": "/name", "value": "x"}]`;
 * v2.0 (deprecated, draft-04): `[{"replace": "/name", "value": "x"}]`.
 */
import { BadRequestError, UnsupportedMediaTypeError } from '../domain/errors.js';
import type { PatchOperation, PatchOptions } from '../domain/image-patch.js';

export const PATCH_V21 = 'application/openstack-images-v2.1-json-patch';
export const PATCH_V20 = 'application/openstack-images-v2.0-json-patch';
const OPS = ['add', 'remove', 'replace'] as const;

export function patchMediaType(contentType: string | undefined): PatchOptions & { v21: boolean } {
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (type === PATCH_V21) return { v21: true, addMustCreate: false };
  if (type === PATCH_V20) return { v21: false, addMustCreate: true };
  throw new UnsupportedMediaTypeError(`Unsupported Content-Type ${type || '(none)'}: use ${PATCH_V21}`, { reason: 'patch.media_type' });
}

export function parsePatchBody(body: unknown, v21: boolean): PatchOperation[] {
  if (!Array.isArray(body)) throw new BadRequestError('Request body must be a JSON array of operation objects.', { reason: 'patch.body' });
  return body.map((raw, i): PatchOperation => {
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
      throw new BadRequestError(`Operations must be JSON objects (operation ${i}).`, { reason: 'patch.body' });
    }
    const entry = raw as Record<string, unknown>;
    let op: unknown;
    let path: unknown;
    if (v21) {
      op = entry.op;
      path = entry.path;
    } else {
      const named = OPS.filter((name) => name in entry);
      if (named.length !== 1) throw new BadRequestError(`Operation ${i} must name exactly one of add, remove, replace.`, { reason: 'patch.op' });
      op = named[0];
      path = entry[named[0]!];
    }
    if (typeof op !== 'string' || !(OPS as readonly string[]).includes(op)) {
      throw new BadRequestError(`Operation "${String(op)}" not supported. Supported operations are: add, remove, replace.`, { reason: 'patch.op' });
    }
    if (typeof path !== 'string') throw new BadRequestError(`Unable to find 'path' in JSON Schema change (operation ${i}).`, { reason: 'patch.path' });
    if (op !== 'remove' && !('value' in entry)) {
      throw new BadRequestError(`Operation ${op} on ${path} needs a value.`, { reason: 'patch.value' });
    }
    return op === 'remove' ? { op, path } : { op: op as 'add' | 'replace', path, value: entry.value };
  });
}
