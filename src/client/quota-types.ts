/**
 * Quotas as the API sends them. Sizes (image_size_total, image_stage_total) are in MiB and
 * counts in images, as in Glance; -1 means unlimited.
 */
export type QuotaName = 'image_size_total' | 'image_stage_total' | 'image_count_total' | 'image_count_uploading';

/** GET /v2/info/usage (Glance): the caller's project. */
export interface UsageDocument {
  usage: Record<QuotaName, { limit: number; usage: number }>;
}

/** GET/PUT /v2/quotas/{project_id} (Imago, admin). */
export interface ProjectQuotasDocument {
  project_id: string;
  quotas: Record<QuotaName, { limit: number; usage: number; default: number; override: number | null }>;
}
