import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BadRequestError, ForbiddenError, PayloadTooLargeError } from '../domain/errors.js';
import { Policy } from '../domain/policy.js';
import type { Principal } from '../domain/principal.js';
import { MIB, UNLIMITED, type ProjectUsage, type QuotaLimits, type QuotaName } from '../domain/quota.js';
import type { QuotaCatalog } from './quota.ports.js';
import { QuotaService } from './quota.service.js';

const admin: Principal = { projectId: 'admin', userId: null, roles: ['admin', 'member', 'reader'] };
const member: Principal = { projectId: 'p', userId: null, roles: ['member', 'reader'] };
const reader: Principal = { projectId: 'p', userId: null, roles: ['reader'] };
const nobody: Principal = { projectId: 'p', userId: null, roles: [] };

const unlimited: QuotaLimits = { image_size_total: UNLIMITED, image_stage_total: UNLIMITED, image_count_total: UNLIMITED, image_count_uploading: UNLIMITED };

/** An in-memory catalog that counts usage queries, to show which paths avoid them. */
class FakeCatalog implements QuotaCatalog {
  usageQueries = 0;
  current: ProjectUsage = { imageCount: 0, imageBytes: 0, uploadingCount: 0, stagedBytes: 0 };
  readonly saved = new Map<string, Partial<Record<QuotaName, number>>>();

  async usage(): Promise<ProjectUsage> {
    this.usageQueries += 1;
    return { ...this.current };
  }

  async overrides(project: string): Promise<Partial<Record<QuotaName, number>>> {
    return { ...this.saved.get(project) };
  }

  async setOverrides(project: string, limits: Partial<Record<QuotaName, number>>): Promise<void> {
    this.saved.set(project, { ...this.saved.get(project), ...limits });
  }

  async removeOverride(project: string, name: QuotaName): Promise<boolean> {
    const limits = this.saved.get(project);
    const had = limits !== undefined && name in limits;
    if (limits) delete limits[name];
    return had;
  }
}

function setup(defaults: Partial<QuotaLimits> = {}) {
  const catalog = new FakeCatalog();
  const service = new QuotaService(catalog, new Policy(), { now: () => new Date(0) }, { ...unlimited, ...defaults });
  return { catalog, service };
}

describe('QuotaService', () => {
  it('counts nothing on create and upload start while the limits involved are unlimited', async () => {
    const { catalog, service } = setup({ image_stage_total: 10 });
    await service.checkCreate('p');
    const budget = await service.startUpload('p', 5 * 2 ** 40);
    await budget.confirm(5 * 2 ** 40);
    assert.equal(budget.remaining, Infinity);
    assert.equal(catalog.usageQueries, 0);
  });

  it('takes a project\'s override over the default, and only for that project', async () => {
    const { catalog, service } = setup({ image_count_total: 100 });
    catalog.current.imageCount = 5;
    await service.set(admin, 'p', { image_count_total: 5 });
    await assert.rejects(service.checkCreate('p'), (err: PayloadTooLargeError) => err.reason === 'quota.image_count_total');
    await service.checkCreate('q');
    await service.unset(admin, 'p', 'image_count_total');
    await service.checkCreate('p');
  });

  it('grants an upload what is left of image_size_total, and re-checks before commit', async () => {
    const { catalog, service } = setup({ image_size_total: 10 });
    catalog.current = { imageCount: 2, imageBytes: 4 * MIB, uploadingCount: 1, stagedBytes: 0 };
    const budget = await service.startUpload('p');
    assert.equal(budget.remaining, 6 * MIB);
    assert.equal(budget.exceeded().reason, 'quota.image_size_total');
    await budget.confirm(6 * MIB);
    // Another upload committed in the meantime.
    catalog.current.imageBytes = 5 * MIB;
    await assert.rejects(budget.confirm(6 * MIB), (err: PayloadTooLargeError) => err.reason === 'quota.image_size_total' && /limit 10 MiB, in use 5 MiB/.test(err.message));
  });

  it('reports usage to readers of the project and the admin view only to admins', async () => {
    const { service } = setup({ image_count_total: 3 });
    assert.deepEqual((await service.usage(reader)).image_count_total, { limit: 3, usage: 0 });
    await assert.rejects(service.usage(nobody), ForbiddenError);
    for (const principal of [member, reader]) {
      await assert.rejects(service.show(principal, 'p'), ForbiddenError);
      await assert.rejects(service.set(principal, 'p', { image_count_total: 1 }), ForbiddenError);
      await assert.rejects(service.unset(principal, 'p', 'image_count_total'), ForbiddenError);
    }
    assert.deepEqual((await service.show(admin, 'p')).quotas.image_count_total, { limit: 3, usage: 0, default: 3, override: null });
  });

  it('refuses unknown quota names and bad project ids with 400', async () => {
    const { service } = setup();
    await assert.rejects(service.unset(admin, 'p', 'image_bytes'), BadRequestError);
    await assert.rejects(service.show(admin, 'x'.repeat(256)), BadRequestError);
    await assert.rejects(service.set(admin, 'p', { image_count_total: -3 }), BadRequestError);
  });
});
