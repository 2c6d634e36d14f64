/**
 * Per-project quotas, named and measured as Glance's unified limits are, so OpenStack clients
 * read Imago's GET /v2/info/usage unchanged: image_size_total and image_stage_total in MiB,
 * image_count_total and image_count_uploading in images, -1 for unlimited.
 *
 * Usage is counted in bytes internally (an upload is cut off at an exact byte); only what is
 * reported and configured is in MiB. Pure rules: the counting is done by the catalog.
 */
import { BadRequestError, PayloadTooLargeError } from './errors.js';
import type { ImageStatus } from './image.js';

export const QUOTA_NAMES = ['image_size_total', 'image_stage_total', 'image_count_total', 'image_count_uploading'] as const;
export type QuotaName = (typeof QUOTA_NAMES)[number];

/** Glance's (and oslo.limit's) value for "no limit". */
export const UNLIMITED = -1;

export const MIB = 1024 * 1024;

/** Quotas whose limit and reported usage are in MiB; the others count images. */
const SIZE_QUOTAS: ReadonlySet<QuotaName> = new Set(['image_size_total', 'image_stage_total']);

/** The largest limit whose byte value is still exact in a double. */
export function maxLimit(name: QuotaName): number {
  return SIZE_QUOTAS.has(name) ? Math.floor(Number.MAX_SAFE_INTEGER / MIB) : Number.MAX_SAFE_INTEGER;
}

/** Images in these statuses hold nothing against a quota (Glance's rule). */
export const UNCOUNTED_STATUSES: readonly ImageStatus[] = ['deleted', 'killed'];

/** Images receiving data: a direct upload (saving), a staged one (uploading), an import. */
export const UPLOADING_STATUSES: readonly ImageStatus[] = ['saving', 'uploading', 'importing'];

/** Limits in the quota's own unit (MiB or images), UNLIMITED for none. */
export type QuotaLimits = Readonly<Record<QuotaName, number>>;

/** What a project holds, as the catalog counts it (bytes, not MiB). */
export interface ProjectUsage {
  /** Images not deleted (or killed). */
  imageCount: number;
  /** Sum of the sizes of those images: bytes committed to the stores. */
  imageBytes: number;
  /** Images receiving data now (saving; uploading and importing once those exist). */
  uploadingCount: number;
  /** Bytes in the staging area of the (future) interoperable import. */
  stagedBytes: number;
}

export function isQuotaName(name: string): name is QuotaName {
  return (QUOTA_NAMES as readonly string[]).includes(name);
}

export function unitOf(name: QuotaName): 'MiB' | 'images' {
  return SIZE_QUOTAS.has(name) ? 'MiB' : 'images';
}

/** Usage in each quota's reported unit: whole MiB (rounded down, as Glance does) or images. */
export function reportedUsage(usage: ProjectUsage): QuotaLimits {
  return {
    image_size_total: Math.floor(usage.imageBytes / MIB),
    image_stage_total: Math.floor(usage.stagedBytes / MIB),
    image_count_total: usage.imageCount,
    image_count_uploading: usage.uploadingCount,
  };
}

/**
 * Validates limits sent by an admin: known names, whole numbers from -1 up. Every problem is
 * named in one 400 so the caller fixes them in one go.
 */
export function parseLimits(body: unknown): Partial<Record<QuotaName, number>> {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new BadRequestError(`Body expected: a JSON object of quota limits (${QUOTA_NAMES.join(', ')}).`, { reason: 'quota.body' });
  }
  const limits: Partial<Record<QuotaName, number>> = {};
  const problems: string[] = [];
  for (const [name, value] of Object.entries(body)) {
    if (!isQuotaName(name)) problems.push(`unknown quota ${JSON.stringify(name)} (known: ${QUOTA_NAMES.join(', ')})`);
    else if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < UNLIMITED || value > maxLimit(name)) {
      problems.push(`${name} must be a whole number from 0 to ${maxLimit(name)}, or -1 for unlimited`);
    } else limits[name] = value;
  }
  if (problems.length === 0 && Object.keys(limits).length === 0) problems.push('no quota limits given');
  if (problems.length > 0) throw new BadRequestError(`Invalid quota limits: ${problems.join('; ')}.`, { reason: 'quota.invalid' });
  return limits;
}

/** Whether adding `delta` to `usage` goes over `limit` (oslo.limit's rule: usage + delta > limit). */
export function exceeds(limit: number, usage: number, delta: number): boolean {
  return limit !== UNLIMITED && usage + delta > limit;
}

/** The byte budget a size quota leaves: Infinity when unlimited, never negative. */
export function remainingBytes(limitMiB: number, usedBytes: number): number {
  return limitMiB === UNLIMITED ? Infinity : Math.max(0, limitMiB * MIB - usedBytes);
}

/** The 413 for a quota, naming it, its limit and what is in use (in the quota's unit). */
export function quotaExceeded(project: string, name: QuotaName, limit: number, used: number): PayloadTooLargeError {
  const unit = unitOf(name);
  const amount = (n: number) => (unit === 'MiB' ? `${n} MiB` : `${n} ${n === 1 ? 'image' : 'images'}`);
  return new PayloadTooLargeError(`Quota ${name} exceeded for project ${project}: limit ${amount(limit)}, in use ${amount(used)}.`, { reason: `quota.${name}` });
}

/** Creating one more image. */
export function checkImageCreate(project: string, limits: QuotaLimits, usage: Pick<ProjectUsage, 'imageCount'>): void {
  if (exceeds(limits.image_count_total, usage.imageCount, 1)) {
    throw quotaExceeded(project, 'image_count_total', limits.image_count_total, usage.imageCount);
  }
}

/**
 * Starting an upload, counted after the image has turned to saving (so `uploadingCount`
 * includes it and two racing starts cannot both slip under the limit). Refused when the
 * project already uses all of image_size_total, or when the declared size cannot fit.
 * Returns the bytes the upload may still add.
 */
export function checkUploadStart(project: string, limits: QuotaLimits, usage: ProjectUsage, declaredBytes?: number): number {
  if (exceeds(limits.image_count_uploading, usage.uploadingCount, 0)) {
    throw quotaExceeded(project, 'image_count_uploading', limits.image_count_uploading, usage.uploadingCount - 1);
  }
  const remaining = remainingBytes(limits.image_size_total, usage.imageBytes);
  if (remaining === 0 || (declaredBytes !== undefined && declaredBytes > remaining)) {
    throw quotaExceeded(project, 'image_size_total', limits.image_size_total, Math.floor(usage.imageBytes / MIB));
  }
  return remaining;
}

/** Adding `deltaBytes` to the staging area (for the stage endpoint of interoperable import). */
export function checkStage(project: string, limits: QuotaLimits, usage: Pick<ProjectUsage, 'stagedBytes'>, deltaBytes: number): void {
  if (deltaBytes > remainingBytes(limits.image_stage_total, usage.stagedBytes)) {
    throw quotaExceeded(project, 'image_stage_total', limits.image_stage_total, Math.floor(usage.stagedBytes / MIB));
  }
}
