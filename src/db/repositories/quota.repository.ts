/** Quota overrides and usage counts: the only place quota SQL lives. Same code on SQLite and PostgreSQL. */
import type { Kysely } from 'kysely';
import { isQuotaName, type ProjectUsage, type QuotaName, UNCOUNTED_STATUSES, UPLOADING_STATUSES } from '../../domain/quota.js';
import type { QuotaCatalog } from '../../services/quota.ports.js';
import type { Database } from '../schema.js';

export class QuotaRepository implements QuotaCatalog {
  constructor(private readonly db: Kysely<Database>) {}

  /**
   * One query over the owner's entries in images_owner_status_size_idx. Images being saved
   * have no size yet, so the sum is what is committed to the stores. The staging area does
   * not exist yet: its usage is 0.
   */
  async usage(owner: string): Promise<ProjectUsage> {
    const row = await this.db.selectFrom('images')
      .select((eb) => [
        eb.fn.countAll().as('images'),
        eb.fn.sum(eb.fn.coalesce('size', eb.lit(0))).as('bytes'),
        eb.fn.count(eb.case().when('status', 'in', UPLOADING_STATUSES).then(eb.lit(1)).end()).as('uploading'),
      ])
      .where('owner', '=', owner)
      .where('status', 'not in', UNCOUNTED_STATUSES)
      .executeTakeFirstOrThrow();
    // PostgreSQL returns sum(bigint) as numeric, which pg reads as a string.
    return { imageCount: Number(row.images), imageBytes: Number(row.bytes ?? 0), uploadingCount: Number(row.uploading), stagedBytes: 0 };
  }

  async overrides(project: string): Promise<Partial<Record<QuotaName, number>>> {
    const rows = await this.db.selectFrom('project_quotas').select(['quota_name', 'limit_value']).where('project_id', '=', project).execute();
    const limits: Partial<Record<QuotaName, number>> = {};
    for (const row of rows) if (isQuotaName(row.quota_name)) limits[row.quota_name] = Number(row.limit_value);
    return limits;
  }

  /** Sets (or replaces) the given overrides together. */
  async setOverrides(project: string, limits: Partial<Record<QuotaName, number>>, now: Date): Promise<void> {
    const rows = Object.entries(limits).map(([name, value]) => ({ project_id: project, quota_name: name, limit_value: value, updated_at: now.getTime() }));
    if (rows.length === 0) return;
    await this.db.insertInto('project_quotas').values(rows)
      .onConflict((oc) => oc.columns(['project_id', 'quota_name']).doUpdateSet((eb) => ({
        limit_value: eb.ref('excluded.limit_value'),
        updated_at: eb.ref('excluded.updated_at'),
      })))
      .execute();
  }

  /** Drops an override (the default applies again); false when there was none. */
  async removeOverride(project: string, name: QuotaName): Promise<boolean> {
    const result = await this.db.deleteFrom('project_quotas').where('project_id', '=', project).where('quota_name', '=', name).executeTakeFirst();
    return result.numDeletedRows > 0n;
  }
}
