/**
 * Sharing an image with other projects (Glance's image members): the owner adds and removes
 * member projects of a shared image, and each member accepts or rejects it. Every call first
 * loads the image as the caller sees it (404 when invisible), then enforces the action's rule
 * (403), then Glance's fixed rules on whose memberships a caller may touch.
 */
import { ConflictError, ForbiddenError, NotFoundError, PayloadTooLargeError } from '../domain/errors.js';
import type { MemberStatus } from '../domain/image.js';
import { hasMembers, mayDecideMembership, mayManageMembers, maySeeMembership, type ImageMember } from '../domain/image-member.js';
import type { Policy } from '../domain/policy.js';
import type { Principal } from '../domain/principal.js';
import type { ImageService, VisibleImage } from './image.service.js';
import type { MemberCatalog } from './member.ports.js';
import type { Clock } from './ports.js';

export interface MemberLimits {
  /** Most members one image may have (Glance's image_member_quota); negative: unlimited. */
  memberQuota: number;
}

export class MemberService {
  constructor(
    private readonly images: ImageService,
    private readonly members: MemberCatalog,
    private readonly policy: Policy,
    private readonly clock: Clock,
    private readonly limits: MemberLimits,
  ) {}

  async add(principal: Principal, imageId: string, memberId: string): Promise<ImageMember> {
    const { image } = await this.load(principal, imageId, 'add_member');
    if (!mayManageMembers(image, principal.projectId, this.policy.isAdmin(principal))) {
      throw new ForbiddenError(`You cannot add image member for ${image.id}`, { reason: 'member.not_owner' });
    }
    const now = this.clock.now();
    const quota = this.limits.memberQuota < 0 ? Number.POSITIVE_INFINITY : this.limits.memberQuota;
    const outcome = await this.members.add({ imageId: image.id, memberId, status: 'pending', createdAt: now, updatedAt: now }, quota);
    if ('duplicate' in outcome) {
      throw new ConflictError(`Member ${memberId} already exists on image ${image.id}.`, { reason: 'member.duplicate' });
    }
    if ('overQuota' in outcome) {
      throw new PayloadTooLargeError(
        `The limit has been exceeded on the number of allowed image members for this image. Attempted: ${outcome.overQuota + 1}, Maximum: ${this.limits.memberQuota}`,
        { reason: 'member.quota' },
      );
    }
    return outcome.added;
  }

  /** The owner (and admins) see every member; a member sees only its own membership. */
  async list(principal: Principal, imageId: string): Promise<ImageMember[]> {
    const { image } = await this.load(principal, imageId, 'get_members');
    const all = await this.members.list(image.id);
    if (mayManageMembers(image, principal.projectId, this.policy.isAdmin(principal))) return all;
    return all.filter((m) => m.memberId === principal.projectId);
  }

  async get(principal: Principal, imageId: string, memberId: string): Promise<ImageMember> {
    const { image } = await this.load(principal, imageId, 'get_member');
    return this.find(image.id, memberId, maySeeMembership(image, memberId, principal.projectId, this.policy.isAdmin(principal)));
  }

  /** Only the member project itself (or an admin) accepts, rejects or resets a membership. */
  async setStatus(principal: Principal, imageId: string, memberId: string, status: MemberStatus): Promise<ImageMember> {
    const { image } = await this.load(principal, imageId, 'modify_member');
    const admin = this.policy.isAdmin(principal);
    await this.find(image.id, memberId, maySeeMembership(image, memberId, principal.projectId, admin));
    if (!mayDecideMembership(memberId, principal.projectId, admin)) {
      throw new ForbiddenError(`You cannot update image member ${memberId}`, { reason: 'member.not_member' });
    }
    const updated = await this.members.setStatus(image.id, memberId, status, this.clock.now());
    if (!updated) throw notFound(memberId, image.id);
    return updated;
  }

  async remove(principal: Principal, imageId: string, memberId: string): Promise<void> {
    const { image } = await this.load(principal, imageId, 'delete_member');
    if (!mayManageMembers(image, principal.projectId, this.policy.isAdmin(principal))) {
      throw new ForbiddenError(`You cannot delete image member for ${image.id}`, { reason: 'member.not_owner' });
    }
    if (!(await this.members.remove(image.id, memberId))) throw notFound(memberId, image.id);
  }

  /** The image as the caller sees it, the action's rule enforced, and only if it can have members. */
  private async load(principal: Principal, imageId: string, action: 'add_member' | 'get_members' | 'get_member' | 'modify_member' | 'delete_member'): Promise<VisibleImage> {
    const visible = await this.images.load(principal, imageId);
    this.policy.enforce(action, principal, visible);
    if (!hasMembers(visible.image)) {
      throw new ForbiddenError('Only shared images have members.', { reason: 'member.not_shared' });
    }
    return visible;
  }

  /** Someone else's membership is reported missing rather than forbidden, as Glance does. */
  private async find(imageId: string, memberId: string, maySee: boolean): Promise<ImageMember> {
    const member = maySee ? await this.members.get(imageId, memberId) : undefined;
    if (!member) throw notFound(memberId, imageId);
    return member;
  }
}

function notFound(memberId: string, imageId: string): NotFoundError {
  return new NotFoundError(`Member ${memberId} not found for image ${imageId}.`, { reason: 'member.not_found' });
}
