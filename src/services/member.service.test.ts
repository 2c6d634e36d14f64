import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConflictError, ForbiddenError, NotFoundError, PayloadTooLargeError } from '../domain/errors.js';
import type { Image, MemberStatus } from '../domain/image.js';
import type { ImageMember } from '../domain/image-member.js';
import { Policy } from '../domain/policy.js';
import type { Principal } from '../domain/principal.js';
import type { ImageService, VisibleImage } from './image.service.js';
import type { AddMemberOutcome, MemberCatalog } from './member.ports.js';
import { MemberService } from './member.service.js';
import { DEFAULT_CATALOG } from '../domain/catalog.js';

const owner: Principal = { projectId: 'a', userId: null, roles: ['member'] };
const memberB: Principal = { projectId: 'b', userId: null, roles: ['member'] };
const memberC: Principal = { projectId: 'c', userId: null, roles: ['member'] };
const NOW = new Date('2026-01-01T00:00:00Z');

const image: Image = {
  id: '00000000-0000-4000-8000-000000000001', name: 'x', status: 'active', visibility: 'shared', protected: false, osHidden: false,
  owner: 'a', diskFormat: 'raw', containerFormat: 'bare', minDisk: 0, minRam: 0, size: 1, virtualSize: null, checksum: null,
  osHashAlgo: null, osHashValue: null, location: null, createdAt: NOW, updatedAt: NOW, tags: [], properties: {},
  catalog: DEFAULT_CATALOG,
};

/** An in-memory catalog: enough to test the service's own decisions. */
class FakeMembers implements MemberCatalog {
  readonly rows = new Map<string, ImageMember>();
  async statusOf(_imageId: string, memberId: string): Promise<MemberStatus | null> { return this.rows.get(memberId)?.status ?? null; }
  async get(_imageId: string, memberId: string) { return this.rows.get(memberId); }
  async list() { return [...this.rows.values()]; }
  async add(member: ImageMember, quota: number): Promise<AddMemberOutcome> {
    if (this.rows.has(member.memberId)) return { duplicate: true };
    if (this.rows.size >= quota) return { overQuota: this.rows.size };
    this.rows.set(member.memberId, member);
    return { added: member };
  }
  async setStatus(_imageId: string, memberId: string, status: MemberStatus, now: Date) {
    const row = this.rows.get(memberId);
    if (!row) return undefined;
    const updated = { ...row, status, updatedAt: now };
    this.rows.set(memberId, updated);
    return updated;
  }
  async remove(_imageId: string, memberId: string) { return this.rows.delete(memberId); }
}

function setup(options: { quota?: number; policy?: Policy; visibility?: Image['visibility'] } = {}) {
  const members = new FakeMembers();
  const policy = options.policy ?? new Policy();
  const target = { ...image, visibility: options.visibility ?? 'shared' };
  // Stands in for ImageService.load: the image, visible to the owner and to its members.
  const images = {
    async load(principal: Principal): Promise<VisibleImage> {
      const visible: VisibleImage = { image: target, memberStatus: await members.statusOf(target.id, principal.projectId) };
      policy.enforce('get_image', principal, visible);
      return visible;
    },
  } as unknown as ImageService;
  const service = new MemberService(images, members, policy, { now: () => NOW }, { memberQuota: options.quota ?? 128 });
  return { service, members };
}

describe('MemberService', () => {
  it('adds pending members, refuses duplicates (409) and members beyond the quota (413)', async () => {
    const { service } = setup({ quota: 1 });
    assert.deepEqual(await service.add(owner, image.id, 'b'), { imageId: image.id, memberId: 'b', status: 'pending', createdAt: NOW, updatedAt: NOW });
    await assert.rejects(service.add(owner, image.id, 'b'), ConflictError);
    await assert.rejects(service.add(owner, image.id, 'c'), PayloadTooLargeError);
  });

  it('takes a negative quota as unlimited', async () => {
    const { service } = setup({ quota: -1 });
    for (const project of ['b', 'c', 'd']) await service.add(owner, image.id, project);
  });

  it('refuses members on images that are not shared', async () => {
    const { service } = setup({ visibility: 'private' });
    await assert.rejects(service.add(owner, image.id, 'b'), /Only shared images have members/);
  });

  it('keeps adding and removing for the owner even when the rules let members do it, as Glance does', async () => {
    const policy = new Policy({ add_member: 'role:member', delete_member: 'role:member' });
    const { service } = setup({ policy });
    await service.add(owner, image.id, 'b');
    await assert.rejects(service.add(memberB, image.id, 'c'), ForbiddenError);
    await assert.rejects(service.remove(memberB, image.id, 'b'), ForbiddenError);
  });

  it('keeps status changes for the member itself even when the rules let the owner', async () => {
    const policy = new Policy({ modify_member: 'role:member' });
    const { service } = setup({ policy });
    await service.add(owner, image.id, 'b');
    await assert.rejects(service.setStatus(owner, image.id, 'b', 'accepted'), ForbiddenError);
    assert.equal((await service.setStatus(memberB, image.id, 'b', 'accepted')).status, 'accepted');
  });

  it('shows a member only its own membership', async () => {
    const { service } = setup();
    await service.add(owner, image.id, 'b');
    await service.add(owner, image.id, 'c');
    assert.deepEqual((await service.list(memberB, image.id)).map((m) => m.memberId), ['b']);
    assert.deepEqual((await service.list(owner, image.id)).map((m) => m.memberId), ['b', 'c']);
    await assert.rejects(service.get(memberB, image.id, 'c'), NotFoundError);
    await assert.rejects(service.get(memberC, image.id, 'b'), NotFoundError);
  });

  it('answers a removal of a project that is not a member with 404', async () => {
    const { service } = setup();
    await assert.rejects(service.remove(owner, image.id, 'b'), NotFoundError);
  });
});
