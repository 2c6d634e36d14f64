/**
 * The authorisation matrix's expectations, written from Glance's documented semantics and
 * independently of src/domain/policy: who may see an image, who may change it, and what each
 * endpoint answers. The matrix test compares every real response with this.
 */

export const CALLERS = [
  'owner-member', 'owner-reader', 'other-member', 'accepted-member', 'pending-member',
  'rejected-member', 'admin', 'no-token', 'expired-token', 'revoked-token',
] as const;
export type Caller = (typeof CALLERS)[number];

export const VISIBILITIES = ['public', 'community', 'shared', 'private'] as const;
export const STATUSES = ['queued', 'active', 'deactivated'] as const;
export type Visibility = (typeof VISIBILITIES)[number];
export type Status = (typeof STATUSES)[number];

/** Every fixture image is owned by the owner project and has had all three memberships. */
export interface ImageKind {
  visibility: Visibility;
  status: Status;
}

export const IMAGE_KINDS: readonly ImageKind[] = VISIBILITIES.flatMap((visibility) => STATUSES.map((status) => ({ visibility, status })));

export const IMAGE_ENDPOINTS = [
  'show', 'listed', 'update', 'delete', 'add-tag', 'remove-tag', 'deactivate', 'reactivate',
  'upload', 'download', 'list-members', 'add-member', 'show-member', 'update-member', 'remove-member',
  'ancestry', 'deprecate',
] as const;
export type ImageEndpoint = (typeof IMAGE_ENDPOINTS)[number];

export const GLOBAL_ENDPOINTS = [
  'list-images', 'create-image', 'usage', 'project-quotas', 'image-schema', 'list-namespaces', 'create-namespace',
  'list-families', 'required-properties', 'set-required-properties', 'identity-users',
] as const;
export type GlobalEndpoint = (typeof GLOBAL_ENDPOINTS)[number];

/** An HTTP status, or for `listed` whether the image is in the caller's default list. */
export type Outcome = number | 'listed' | 'not listed';

const MEMBERSHIP: Partial<Record<Caller, 'accepted' | 'pending' | 'rejected'>> = {
  'accepted-member': 'accepted', 'pending-member': 'pending', 'rejected-member': 'rejected',
};

const authenticated = (c: Caller) => c !== 'no-token' && c !== 'expired-token' && c !== 'revoked-token';
const isOwner = (c: Caller) => c === 'owner-member' || c === 'owner-reader';
/** Has the member role in its project (the reader does not). */
const isMemberRole = (c: Caller) => c !== 'owner-reader';
/** The owner's members and admins may change an image. */
const mayWrite = (c: Caller) => c === 'owner-member' || c === 'admin';

/**
 * Glance's is_image_visible: admins and the owner see everything; others see public and
 * community images, and shared images they hold a membership of, whatever its status.
 * A membership grants nothing once the image is no longer shared.
 */
export function visible(caller: Caller, image: ImageKind): boolean {
  if (caller === 'admin' || isOwner(caller)) return true;
  if (image.visibility === 'public' || image.visibility === 'community') return true;
  return image.visibility === 'shared' && MEMBERSHIP[caller] !== undefined;
}

/** In the default list: public, owned, and shared-and-accepted; community only when owned (admins: all but others' community). */
function listed(caller: Caller, image: ImageKind): boolean {
  if (caller === 'admin') return image.visibility !== 'community';
  if (isOwner(caller) || image.visibility === 'public') return true;
  return image.visibility === 'shared' && MEMBERSHIP[caller] === 'accepted';
}

export function expectedForImage(endpoint: ImageEndpoint, caller: Caller, image: ImageKind): Outcome {
  if (!authenticated(caller)) return endpoint === 'listed' ? 'not listed' : 401;
  if (endpoint === 'listed') return listed(caller, image) ? 'listed' : 'not listed';
  if (!visible(caller, image)) return 404;
  const shared = image.visibility === 'shared';
  switch (endpoint) {
    case 'show':
      return 200;
    case 'update':
      return mayWrite(caller) ? 200 : 403;
    case 'delete':
    case 'add-tag':
    case 'remove-tag':
      return mayWrite(caller) ? 204 : 403;
    case 'deactivate':
    case 'reactivate':
      // Glance's current defaults: admins and the owner's members; a queued image has nothing to (de)activate.
      if (!mayWrite(caller)) return 403;
      return image.status === 'queued' ? 403 : 204;
    case 'upload':
      if (!mayWrite(caller)) return 403;
      return image.status === 'queued' ? 204 : 409;
    case 'download':
      if (!isMemberRole(caller)) return 403;
      if (image.status === 'deactivated' && caller !== 'admin') return 403;
      return image.status === 'queued' ? 204 : 200;
    case 'list-members':
      return shared ? 200 : 403;
    case 'add-member':
      if (!shared) return 403;
      return mayWrite(caller) ? 200 : 403;
    case 'show-member': {
      // The accepted member's entry: the owner's project, admins and that member see it.
      if (!shared) return 403;
      if (isOwner(caller) || caller === 'admin' || caller === 'accepted-member') return 200;
      return 404;
    }
    case 'update-member': {
      // The caller accepts its own membership (others target the accepted member's entry):
      // only the member itself, or an admin, changes a status.
      if (!shared) return 403;
      if (MEMBERSHIP[caller] !== undefined || caller === 'admin') return 200;
      return 403;
    }
    case 'remove-member':
      if (!shared) return 403;
      return mayWrite(caller) ? 204 : 403;
    // Imago's catalog (docs/catalog.md): lineage is readable by whoever sees the image;
    // deprecation is the owner's members' and admins' decision.
    case 'ancestry':
      return 200;
    case 'deprecate':
      return mayWrite(caller) ? 200 : 403;
  }
}

export function expectedGlobal(endpoint: GlobalEndpoint, caller: Caller): Outcome {
  if (!authenticated(caller)) return 401;
  switch (endpoint) {
    case 'list-images':
    case 'usage':
    case 'image-schema':
    case 'list-namespaces':
    case 'list-families':
    case 'required-properties':
      return 200;
    case 'create-image':
      return isMemberRole(caller) ? 201 : 403;
    // Metadefs, required properties, quotas of other projects and identity are the admin's (Glance's metadef_admin).
    case 'create-namespace':
      return caller === 'admin' ? 201 : 403;
    case 'project-quotas':
    case 'set-required-properties':
    case 'identity-users':
      return caller === 'admin' ? 200 : 403;
  }
}

/** Endpoints whose success changes the image, so the fixture is rebuilt after one. */
export const MUTATING: ReadonlySet<ImageEndpoint> = new Set([
  'update', 'delete', 'add-tag', 'remove-tag', 'deactivate', 'reactivate', 'upload', 'add-member', 'update-member', 'remove-member',
  'deprecate',
]);
