/** Image memberships (the image_members table). Same code on SQLite and PostgreSQL. */
import type { Kysely, Selectable } from 'kysely';
import type { MemberStatus } from '../../domain/image.js';
import type { ImageMember } from '../../domain/image-member.js';
import type { AddMemberOutcome, MemberCatalog } from '../../services/member.ports.js';
import type { Database, ImageMembersTable } from '../schema.js';
import { isUniqueViolation } from './unique-violation.js';

const fromRow = (row: Selectable<ImageMembersTable>): ImageMember => ({
  imageId: row.image_id,
  memberId: row.member,
  status: row.status as MemberStatus,
  createdAt: new Date(Number(row.created_at)),
  updatedAt: new Date(Number(row.updated_at)),
});

export class MemberRepository implements MemberCatalog {
  constructor(private readonly db: Kysely<Database>) {}

  async statusOf(imageId: string, memberId: string): Promise<MemberStatus | null> {
    const row = await this.db.selectFrom('image_members').select('status')
      .where('image_id', '=', imageId).where('member', '=', memberId).executeTakeFirst();
    return row ? (row.status as MemberStatus) : null;
  }

  async get(imageId: string, memberId: string): Promise<ImageMember | undefined> {
    const row = await this.db.selectFrom('image_members').selectAll()
      .where('image_id', '=', imageId).where('member', '=', memberId).executeTakeFirst();
    return row && fromRow(row);
  }

  async list(imageId: string): Promise<ImageMember[]> {
    const rows = await this.db.selectFrom('image_members').selectAll().where('image_id', '=', imageId)
      .orderBy('created_at').orderBy('member').execute();
    return rows.map(fromRow);
  }

  /**
   * Counts and inserts in one transaction. Like Glance's, the quota is soft under concurrency:
   * two adds racing for the last place may both get it on PostgreSQL.
   */
  async add(member: ImageMember, quota: number): Promise<AddMemberOutcome> {
    try {
      return await this.db.transaction().execute(async (trx): Promise<AddMemberOutcome> => {
        const existing = await trx.selectFrom('image_members').select('member')
          .where('image_id', '=', member.imageId).where('member', '=', member.memberId).executeTakeFirst();
        if (existing) return { duplicate: true };
        const { count } = await trx.selectFrom('image_members').select((eb) => eb.fn.countAll().as('count'))
          .where('image_id', '=', member.imageId).executeTakeFirstOrThrow();
        if (Number(count) >= quota) return { overQuota: Number(count) };
        await trx.insertInto('image_members').values({
          image_id: member.imageId,
          member: member.memberId,
          status: member.status,
          created_at: member.createdAt.getTime(),
          updated_at: member.updatedAt.getTime(),
        }).execute();
        return { added: member };
      });
    } catch (err) {
      // A concurrent add of the same project won the primary key.
      if (isUniqueViolation(err)) return { duplicate: true };
      throw err;
    }
  }

  async setStatus(imageId: string, memberId: string, status: MemberStatus, now: Date): Promise<ImageMember | undefined> {
    const row = await this.db.updateTable('image_members').set({ status, updated_at: now.getTime() })
      .where('image_id', '=', imageId).where('member', '=', memberId).returningAll().executeTakeFirst();
    return row && fromRow(row);
  }

  async remove(imageId: string, memberId: string): Promise<boolean> {
    const result = await this.db.deleteFrom('image_members').where('image_id', '=', imageId).where('member', '=', memberId).executeTakeFirst();
    return result.numDeletedRows > 0n;
  }
}
