/**
 * JSON-patch on the image document, with Glance's semantics (a subset of RFC 6902: add,
 * remove, replace on top-level members only). The two wire dialects (v2.1 `{op, path}` and
 * the deprecated v2.0 `{add: path}`) are parsed at the edge into PatchOperation.
 */
import { BadRequestError, ConflictError, ForbiddenError } from './errors.js';
import { assertWritableKey, isBaseField, type ImageDocument } from './image-document.js';

export interface PatchOperation {
  op: 'add' | 'remove' | 'replace';
  /** The JSON pointer as sent, e.g. `/name`. */
  path: string;
  value?: unknown;
}

export interface PatchOptions {
  /** The v2.0 media type follows draft-04, where `add` on an existing member is a conflict. */
  addMustCreate: boolean;
}

/** Decodes a JSON pointer to the single member name Glance allows. */
export function pointerKey(path: string): string {
  if (typeof path !== 'string' || !path.startsWith('/')) {
    throw new BadRequestError(`Invalid JSON pointer for this resource: '${String(path)}'`, { reason: 'patch.pointer' });
  }
  const parts = path.slice(1).split('/');
  if (parts.length !== 1 || parts[0] === '' || /~[^01]|~$/.test(parts[0]!)) {
    throw new BadRequestError(`Invalid JSON pointer for this resource: '${path}'`, { reason: 'patch.pointer' });
  }
  return parts[0]!.replace(/~1/g, '/').replace(/~0/g, '~');
}

/** Applies the operations to a copy of the document; validation of the result is the caller's. */
export function applyPatch(document: ImageDocument, operations: PatchOperation[], options: PatchOptions): ImageDocument {
  const doc: ImageDocument = { ...document };
  for (const operation of operations) {
    const key = pointerKey(operation.path);
    if (key === 'id') throw new ForbiddenError(`Attribute 'id' is read-only.`, { reason: 'image.read_only' });
    assertWritableKey(key);
    const present = Object.hasOwn(doc, key);
    switch (operation.op) {
      case 'add':
        if (options.addMustCreate && present && doc[key] !== null && !isBaseField(key)) {
          throw new ConflictError(`Property ${key} already present.`, { reason: 'patch.exists' });
        }
        doc[key] = operation.value;
        break;
      case 'replace':
        if (!present && !isBaseField(key)) throw new ConflictError(`Property ${key} does not exist.`, { reason: 'patch.missing' });
        doc[key] = operation.value;
        break;
      case 'remove':
        if (isBaseField(key)) throw new ForbiddenError(`Property ${key} may not be removed.`, { reason: 'patch.base_property' });
        if (!present) throw new ConflictError(`Property ${key} does not exist.`, { reason: 'patch.missing' });
        delete doc[key];
        break;
    }
  }
  return doc;
}
