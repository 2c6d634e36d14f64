/**
 * Image members: projects an owner shares an image with. A membership starts `pending`; the
 * member project accepts (the image joins its lists) or rejects it. Glance's rules about who
 * may touch which membership, beyond the policy rules, live here too.
 */
import { BadRequestError } from './errors.js';
import { type Image, MEMBER_STATUSES, type MemberStatus } from './image.js';

export interface ImageMember {
  imageId: string;
  /** The member project's id. */
  memberId: string;
  status: MemberStatus;
  createdAt: Date;
  updatedAt: Date;
}

/** The column holding member ids is this wide. */
const MAX_MEMBER_ID_LENGTH = 255;

/** The `member` of a POST /members body, with Glance's messages for the ways it goes wrong. */
export function readMemberId(body: unknown): string {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new BadRequestError('Expected a member in the form: {"member": "project_id"}', { reason: 'member.body' });
  }
  const member = (body as Record<string, unknown>).member;
  if (member === undefined) throw new BadRequestError('Member to be added not specified', { reason: 'member.missing' });
  if (typeof member !== 'string') throw new BadRequestError('Member must be a string (a project id).', { reason: 'member.invalid' });
  if (member.trim() === '') throw new BadRequestError("Member can't be empty", { reason: 'member.empty' });
  if (member.length > MAX_MEMBER_ID_LENGTH) {
    throw new BadRequestError(`Member must be at most ${MAX_MEMBER_ID_LENGTH} characters long.`, { reason: 'member.too_long' });
  }
  return member;
}

/** The `status` of a PUT /members/{member} body. */
export function readMemberStatus(body: unknown): MemberStatus {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new BadRequestError('Expected a status in the form: {"status": "status"}', { reason: 'member.body' });
  }
  const status = (body as Record<string, unknown>).status;
  if (status === undefined) throw new BadRequestError('Status not specified', { reason: 'member.status_missing' });
  if (!(MEMBER_STATUSES as readonly unknown[]).includes(status)) {
    throw new BadRequestError('Status must be "pending", "accepted" or "rejected".', { reason: 'member.status_invalid' });
  }
  return status as MemberStatus;
}

/** Only shared images have members; Glance refuses member calls on any other visibility. */
export function hasMembers(image: Image): boolean {
  return image.visibility === 'shared';
}

/**
 * Who may see a membership: admins, the image's owner (all of them), and the member project
 * (its own). Everyone else is told it does not exist.
 */
export function maySeeMembership(image: Image, memberId: string, projectId: string, isAdmin: boolean): boolean {
  return isAdmin || projectId === image.owner || projectId === memberId;
}

/** Adding and removing members is the owner's business (or an admin's), whatever the rules say. */
export function mayManageMembers(image: Image, projectId: string, isAdmin: boolean): boolean {
  return isAdmin || projectId === image.owner;
}

/** A membership's status is the member's own decision (or an admin's). */
export function mayDecideMembership(memberId: string, projectId: string, isAdmin: boolean): boolean {
  return isAdmin || projectId === memberId;
}
