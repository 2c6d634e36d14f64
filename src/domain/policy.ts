/**
 * The one place where authorisation is decided. Routes never look at roles: services call
 * `enforce(action, principal, target)` and get a typed error when the answer is no.
 *
 * Defaults follow Glance's secure-RBAC rules: readers of a project may read, members may
 * write their project's images, admins may do anything; publicising and (de|re)activating
 * are admin-only. Rules are data (a name → predicate table) so that a policy file can later
 * override single rules without touching callers.
 */
import { ForbiddenError, NotFoundError } from './errors.js';
import type { Image, MemberStatus } from './image.js';
import { hasRole, isAdmin, type Principal } from './principal.js';

export const IMAGE_ACTIONS = [
  'get_image', 'get_images', 'add_image', 'modify_image', 'delete_image', 'upload_image',
  'download_image', 'publicize_image', 'communitize_image', 'set_image_owner',
  'deactivate', 'reactivate',
  // image members (Glance's names)
  'add_member', 'get_member', 'get_members', 'modify_member', 'delete_member',
  // quotas: a project's own usage, and the admin's view and overrides (Imago's names)
  'get_usage', 'get_quotas', 'manage_quotas',
  // Imago's identity service: managing users, projects, roles and assignments (admin only)
  'identity:manage',
] as const;
export type ImageAction = (typeof IMAGE_ACTIONS)[number];

/** What a rule may look at: the image and, for shared images, the caller's membership. */
export interface PolicyTarget {
  image?: Image;
  memberStatus?: MemberStatus | null;
}

export type Rule = (principal: Principal, target: PolicyTarget) => boolean;

const reader: Rule = (p) => isAdmin(p) || hasRole(p, 'reader') || hasRole(p, 'member');
const member: Rule = (p) => isAdmin(p) || hasRole(p, 'member');
const ownsTarget: Rule = (p, t) => t.image !== undefined && t.image.owner === p.projectId;
const adminOnly: Rule = (p) => isAdmin(p);
const memberOfOwner: Rule = (p, t) => isAdmin(p) || (member(p, t) && ownsTarget(p, t));

/** Whether the image exists at all for this caller (denials on invisible images are 404s). */
export function canSee(principal: Principal, target: PolicyTarget): boolean {
  const image = target.image;
  if (!image) return false;
  if (isAdmin(principal)) return true;
  if (!reader(principal, target)) return false;
  if (image.visibility === 'public' || image.visibility === 'community') return true;
  if (image.owner === principal.projectId) return true;
  return image.visibility === 'shared' && target.memberStatus != null;
}

export const DEFAULT_RULES: Readonly<Record<ImageAction, Rule>> = {
  get_image: canSee,
  get_images: reader,
  add_image: member,
  modify_image: memberOfOwner,
  delete_image: memberOfOwner,
  upload_image: memberOfOwner,
  download_image: canSee,
  publicize_image: adminOnly,
  communitize_image: memberOfOwner,
  set_image_owner: adminOnly,
  deactivate: adminOnly,
  reactivate: adminOnly,
  add_member: memberOfOwner,
  get_member: canSee,
  get_members: canSee,
  modify_member: (p, t) => member(p, t) && t.memberStatus != null,
  delete_member: memberOfOwner,
  get_usage: reader,
  get_quotas: adminOnly,
  manage_quotas: adminOnly,
  'identity:manage': adminOnly,
};

export class Policy {
  private readonly rules: Readonly<Record<ImageAction, Rule>>;

  constructor(overrides: Partial<Record<ImageAction, Rule>> = {}) {
    this.rules = Object.freeze({ ...DEFAULT_RULES, ...overrides });
  }

  can(action: ImageAction, principal: Principal, target: PolicyTarget = {}): boolean {
    return this.rules[action](principal, target);
  }

  /**
   * Throws when the action is denied: NotFoundError if the caller may not even see the image
   * (so existence does not leak), ForbiddenError otherwise.
   */
  enforce(action: ImageAction, principal: Principal, target: PolicyTarget = {}): void {
    if (target.image && action !== 'get_image' && !canSee(principal, target)) {
      throw new NotFoundError(`No image found with ID ${target.image.id}`, { reason: 'image.not_found' });
    }
    if (this.rules[action](principal, target)) return;
    if (target.image && action === 'get_image') {
      throw new NotFoundError(`No image found with ID ${target.image.id}`, { reason: 'image.not_found' });
    }
    throw new ForbiddenError(`You are not authorized to complete ${action} action.`, { reason: `policy.${action}` });
  }
}
