/** An image membership as the API shows it (Glance's member document). */
import { iso } from '../domain/image-document.js';
import type { ImageMember } from '../domain/image-member.js';

export interface MemberDocument {
  created_at: string;
  image_id: string;
  member_id: string;
  schema: string;
  status: string;
  updated_at: string;
}

export function memberView(member: ImageMember): MemberDocument {
  return {
    created_at: iso(member.createdAt),
    image_id: member.imageId,
    member_id: member.memberId,
    schema: '/v2/schemas/member',
    status: member.status,
    updated_at: iso(member.updatedAt),
  };
}
