/** What the sharing use-cases need from the catalog (implemented by db/repositories/member.repository.ts). */
import type { MemberStatus } from '../domain/image.js';
import type { ImageMember } from '../domain/image-member.js';

/** Enough to decide whether a shared image is visible to a project. */
export interface MembershipLookup {
  /** The project's membership status on the image, or null when it is not a member. */
  statusOf(imageId: string, memberId: string): Promise<MemberStatus | null>;
}

export type AddMemberOutcome = { added: ImageMember } | { duplicate: true } | { overQuota: number };

export interface MemberCatalog extends MembershipLookup {
  get(imageId: string, memberId: string): Promise<ImageMember | undefined>;
  /** Every member of the image, oldest first. */
  list(imageId: string): Promise<ImageMember[]>;
  /** Inserts the membership unless the project is a member already or the image has `quota` members. */
  add(member: ImageMember, quota: number): Promise<AddMemberOutcome>;
  /** Sets the status and updated_at; undefined when there is no such membership. */
  setStatus(imageId: string, memberId: string, status: MemberStatus, now: Date): Promise<ImageMember | undefined>;
  /** False when there was no such membership. */
  remove(imageId: string, memberId: string): Promise<boolean>;
}
