/**
 * Per-project quotas: the effective limits (an admin's override, else the configured
 * default), usage as Glance reports it, and enforcement for the image services.
 *
 * Enforcement reads committed usage from the catalog; nothing is reserved. So two uploads
 * that start together may each be granted the same remaining image_size_total, and the
 * project can end over its limit by at most the bytes those uploads had in flight (Glance's
 * quotas are soft in the same way). The re-check before commit narrows that window to the
 * uploads committing at the same instant. When a project's relevant limits are unlimited,
 * no usage is counted at all: the cost is one primary-key lookup of its overrides.
 */
import { BadRequestError, type PayloadTooLargeError } from '../domain/errors.js';
import type { Policy } from '../domain/policy.js';
import type { Principal } from '../domain/principal.js';
import {
  checkImageCreate, checkStage, checkUploadStart, exceeds, isQuotaName, MIB, parseLimits, QUOTA_NAMES, quotaExceeded,
  reportedUsage, UNLIMITED, type QuotaLimits, type QuotaName,
} from '../domain/quota.js';
import type { Clock } from './ports.js';
import type { QuotaCatalog } from './quota.ports.js';

/** What an upload may add to its project, decided when it starts. */
export interface UploadBudget {
  /** Bytes the upload may add before it is cut off (Infinity when image_size_total is unlimited). */
  readonly remaining: number;
  /** The 413 to end the stream with when it crosses `remaining`. */
  exceeded(): PayloadTooLargeError;
  /** Just before commit: refuses when what is committed now plus `size` is over image_size_total. */
  confirm(size: number): Promise<void>;
}

export interface QuotaEntry {
  /** The effective limit, in the quota's unit (MiB or images); -1 = unlimited. */
  limit: number;
  usage: number;
  default: number;
  /** The project's own limit, or null when the default applies. */
  override: number | null;
}

export interface ProjectQuotas {
  projectId: string;
  quotas: Record<QuotaName, QuotaEntry>;
}

const UNLIMITED_BUDGET: UploadBudget = {
  remaining: Infinity,
  exceeded: () => { throw new Error('an unlimited upload budget cannot be exceeded'); },
  confirm: async () => undefined,
};

const PROJECT_ID_MAX = 255;

export class QuotaService {
  constructor(
    private readonly catalog: QuotaCatalog,
    private readonly policy: Policy,
    private readonly clock: Clock,
    private readonly defaults: QuotaLimits,
  ) {}

  /** GET /v2/info/usage: the caller's project, each quota with its limit and usage. */
  async usage(principal: Principal): Promise<Record<QuotaName, { limit: number; usage: number }>> {
    this.policy.enforce('get_usage', principal);
    const [limits, usage] = await Promise.all([this.limitsOf(principal.projectId), this.catalog.usage(principal.projectId)]);
    const reported = reportedUsage(usage);
    return Object.fromEntries(QUOTA_NAMES.map((name) => [name, { limit: limits[name], usage: reported[name] }])) as Record<QuotaName, { limit: number; usage: number }>;
  }

  /** An admin's view of any project: effective limits, defaults, overrides and usage. */
  async show(principal: Principal, projectId: string): Promise<ProjectQuotas> {
    this.policy.enforce('get_quotas', principal);
    return this.describe(checkProjectId(projectId));
  }

  /** Overrides some of a project's limits (the others are left as they are). */
  async set(principal: Principal, projectId: string, body: unknown): Promise<ProjectQuotas> {
    this.policy.enforce('manage_quotas', principal);
    const project = checkProjectId(projectId);
    await this.catalog.setOverrides(project, parseLimits(body), this.clock.now());
    return this.describe(project);
  }

  /** Removes one override, so the default applies again; removing an absent one is no error. */
  async unset(principal: Principal, projectId: string, name: string): Promise<ProjectQuotas> {
    this.policy.enforce('manage_quotas', principal);
    const project = checkProjectId(projectId);
    if (!isQuotaName(name)) throw new BadRequestError(`Unknown quota ${name}: known quotas are ${QUOTA_NAMES.join(', ')}.`, { reason: 'quota.unknown' });
    await this.catalog.removeOverride(project, name);
    return this.describe(project);
  }

  /** Before an image is created for `owner`: image_count_total. */
  async checkCreate(owner: string | null): Promise<void> {
    if (owner === null) return;
    const limits = await this.limitsOf(owner);
    if (limits.image_count_total === UNLIMITED) return;
    checkImageCreate(owner, limits, await this.catalog.usage(owner));
  }

  /**
   * When an upload starts, after its image turned to saving: image_count_uploading (which
   * now counts this upload), image_size_total already used up or too small for the declared
   * size. Returns what the upload may add.
   */
  async startUpload(owner: string | null, declaredBytes?: number): Promise<UploadBudget> {
    if (owner === null) return UNLIMITED_BUDGET;
    const limits = await this.limitsOf(owner);
    if (limits.image_size_total === UNLIMITED && limits.image_count_uploading === UNLIMITED) return UNLIMITED_BUDGET;
    const usage = await this.catalog.usage(owner);
    const remaining = checkUploadStart(owner, limits, usage, declaredBytes);
    if (remaining === Infinity) return UNLIMITED_BUDGET;
    const limitBytes = limits.image_size_total * MIB;
    const exceeded = (usedBytes: number) => quotaExceeded(owner, 'image_size_total', limits.image_size_total, Math.floor(usedBytes / MIB));
    return {
      remaining,
      exceeded: () => exceeded(usage.imageBytes),
      confirm: async (size) => {
        const now = await this.catalog.usage(owner);
        if (exceeds(limitBytes, now.imageBytes, size)) throw exceeded(now.imageBytes);
      },
    };
  }

  /** For the stage endpoint of interoperable import (not built yet): image_stage_total. */
  async checkStage(owner: string, deltaBytes: number): Promise<void> {
    const limits = await this.limitsOf(owner);
    if (limits.image_stage_total === UNLIMITED) return;
    checkStage(owner, limits, await this.catalog.usage(owner), deltaBytes);
  }

  private async limitsOf(project: string): Promise<QuotaLimits> {
    return { ...this.defaults, ...(await this.catalog.overrides(project)) };
  }

  private async describe(project: string): Promise<ProjectQuotas> {
    const [overrides, usage] = await Promise.all([this.catalog.overrides(project), this.catalog.usage(project)]);
    const reported = reportedUsage(usage);
    const quotas = Object.fromEntries(QUOTA_NAMES.map((name) => [name, {
      limit: overrides[name] ?? this.defaults[name],
      usage: reported[name],
      default: this.defaults[name],
      override: overrides[name] ?? null,
    }])) as Record<QuotaName, QuotaEntry>;
    return { projectId: project, quotas };
  }
}

function checkProjectId(projectId: string): string {
  if (projectId.length === 0 || projectId.length > PROJECT_ID_MAX) {
    throw new BadRequestError(`A project id is 1 to ${PROJECT_ID_MAX} characters long.`, { reason: 'quota.project_id' });
  }
  return projectId;
}
