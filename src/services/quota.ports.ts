/** What the quota service needs from the catalog (db/repositories/quota.repository.ts). */
import type { ProjectUsage, QuotaName } from '../domain/quota.js';

export interface QuotaCatalog {
  /** What the owner's images hold now (deleted images excluded). */
  usage(owner: string): Promise<ProjectUsage>;
  /** The project's own limits; quotas not listed take the configured default. */
  overrides(project: string): Promise<Partial<Record<QuotaName, number>>>;
  setOverrides(project: string, limits: Partial<Record<QuotaName, number>>, now: Date): Promise<void>;
  removeOverride(project: string, name: QuotaName): Promise<boolean>;
}
