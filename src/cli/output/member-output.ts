/** How image memberships look to people. */
import type { ImageMemberRecord } from '../../client/member-types.js';
import { renderTable, type Column } from './table.js';

const COLUMNS: Column[] = [{ header: 'Member' }, { header: 'Status' }, { header: 'Created' }, { header: 'Updated' }];

export function renderMemberList(members: ImageMemberRecord[]): string {
  return renderTable(COLUMNS, members.map((m) => [m.member_id, m.status, m.created_at, m.updated_at]));
}
