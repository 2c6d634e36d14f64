/** Image memberships as the Image API v2 sends them (GET /v2/images/{id}/members[/{member}]). */
export type MemberStatus = 'pending' | 'accepted' | 'rejected';

export interface ImageMemberRecord {
  image_id: string;
  /** The member project's id. */
  member_id: string;
  status: MemberStatus;
  created_at: string;
  updated_at: string;
  schema: string;
}

export interface ImageMemberList {
  members: ImageMemberRecord[];
  schema: string;
}
