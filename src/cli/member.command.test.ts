import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ImageRecord } from '../client/image-types.js';
import type { ImageMemberRecord } from '../client/member-types.js';
import { ownMembership } from './member.command.js';
import { renderMemberList } from './output/member-output.js';

const image = { id: 'i1', name: 'deb' } as ImageRecord;
const member = (id: string): ImageMemberRecord => ({
  image_id: 'i1', member_id: id, status: 'pending', created_at: '2026-01-01T00:00:00Z', updated_at: '2026-01-02T00:00:00Z', schema: '/v2/schemas/member',
});
const listing = (...ids: string[]) => ({ listMembers: async () => ({ members: ids.map(member), schema: '/v2/schemas/members' }) });

describe('ownMembership', () => {
  it('is the one membership a member project sees', async () => {
    assert.equal(await ownMembership(listing('p2'), image), 'p2');
  });

  it('explains when there is none, or when the caller sees several (the owner)', async () => {
    await assert.rejects(ownMembership(listing(), image), /image deb \(i1\) is not shared with your project/);
    await assert.rejects(ownMembership(listing('p2', 'p3'), image), /has 2 members.*--project/);
  });
});

describe('renderMemberList', () => {
  it('shows one row per member under aligned headers', () => {
    assert.equal(renderMemberList([member('p2'), member('project-3')]), [
      'Member     Status   Created               Updated',
      'p2         pending  2026-01-01T00:00:00Z  2026-01-02T00:00:00Z',
      'project-3  pending  2026-01-01T00:00:00Z  2026-01-02T00:00:00Z',
    ].join('\n'));
  });
});
