/**
 * What rules see: the caller as oslo.policy credentials and the target as the attribute
 * dictionary Glance builds for an image (project_id is the image's owner, member_id the
 * caller's project when it is a member of the shared image), and whether the image is
 * visible to the caller at all.
 */
import type { Image, MemberStatus } from '../image.js';
import type { Principal } from '../principal.js';
import type { Credentials, PolicyTargetValues, PolicyValue } from './rule-evaluator.js';

/** What a rule may look at besides the caller. */
export interface PolicyTarget {
  image?: Image;
  /**
   * The caller's membership of a shared image (null: none). Services load it only for shared
   * images the caller does not own; it is ignored for any other visibility.
   */
  memberStatus?: MemberStatus | null;
  /** For identity actions: the user whose token, record or credential is concerned. */
  userId?: string;
  /** Further attributes for `%(name)s`, e.g. a metadef namespace's project_id and visibility. */
  attributes?: Readonly<Record<string, PolicyValue>>;
}

/**
 * Keystone's default role implications (admin implies member implies reader). Keystone puts
 * implied roles into its tokens; applying them here lets a token configured with `member`
 * alone read as well, whatever issued it.
 */
const IMPLIED_ROLES: Readonly<Record<string, readonly string[]>> = { admin: ['member'], member: ['reader'] };

export function effectiveRoles(roles: readonly string[]): string[] {
  const all = new Set<string>();
  const add = (role: string): void => {
    if (all.has(role)) return;
    all.add(role);
    for (const implied of IMPLIED_ROLES[role.toLowerCase()] ?? []) add(implied);
  };
  roles.forEach(add);
  return [...all];
}

export function credentialsOf(principal: Principal, isAdmin: boolean): Credentials {
  return {
    roles: effectiveRoles(principal.roles),
    // `tenant` is the name older policy files use for the project.
    values: { project_id: principal.projectId, tenant: principal.projectId, user_id: principal.userId, is_admin: isAdmin },
  };
}

/** Glance hides a membership once the image is no longer shared; so does this. */
export function membershipOf(target: PolicyTarget): MemberStatus | null {
  return target.image?.visibility === 'shared' ? target.memberStatus ?? null : null;
}

export function targetValues(principal: Principal, target: PolicyTarget): PolicyTargetValues {
  const values: Record<string, PolicyValue | undefined> = {};
  const image = target.image;
  if (image) {
    Object.assign(values, image.properties, {
      id: image.id,
      name: image.name,
      status: image.status,
      visibility: image.visibility,
      protected: image.protected,
      os_hidden: image.osHidden,
      disk_format: image.diskFormat,
      container_format: image.containerFormat,
      min_disk: image.minDisk,
      min_ram: image.minRam,
      owner: image.owner,
      project_id: image.owner,
    });
    // Always set, so a custom property of the same name cannot pose as a membership.
    const membership = membershipOf(target);
    values.member_id = membership === null ? undefined : principal.projectId;
    values.member_status = membership ?? undefined;
  } else {
    // Nothing exists yet (a create, a list): the target is the caller's own project.
    Object.assign(values, { project_id: principal.projectId, owner: principal.projectId });
  }
  values.user_id = target.userId;
  Object.assign(values, target.attributes);
  return values;
}

/**
 * Whether the image exists for the caller, by Glance's database-layer rules: admins see
 * everything; others see public and community images, their project's images, images without
 * an owner, and shared images they are a member of in any status (a pending member may look
 * at an image before accepting it).
 */
export function isVisible(principal: Principal, target: PolicyTarget & { image: Image }, isAdmin: boolean): boolean {
  const image = target.image;
  if (isAdmin) return true;
  if (image.owner === null || image.owner === principal.projectId) return true;
  if (image.visibility === 'public' || image.visibility === 'community') return true;
  return membershipOf(target) !== null;
}
