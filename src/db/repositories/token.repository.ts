/**
 * Tokens Imago issued, stored by SHA-256 (a leaked catalog yields no usable token). Every node
 * reads the same table, so a token issued on one node works on all and a revocation on one
 * holds on all.
 */
import type { Kysely } from 'kysely';
import { isRoleName, type IssuedToken } from '../../domain/identity.js';
import type { TokenRecord, TokenStore } from '../../services/identity.ports.js';
import type { Database } from '../schema.js';

const words = (value: string): string[] => value.split(' ').filter((w) => w !== '');

export class TokenRepository implements TokenStore {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(tokenHash: string, token: IssuedToken): Promise<void> {
    await this.db.insertInto('identity_tokens').values({
      token_hash: tokenHash,
      user_id: token.userId,
      project_id: token.projectId,
      roles: token.roles.join(' '),
      methods: token.methods.join(' '),
      audit_ids: token.auditIds.join(' '),
      app_credential_id: token.applicationCredentialId,
      issued_at: token.issuedAt.getTime(),
      expires_at: token.expiresAt.getTime(),
      revoked_at: null,
    }).execute();
  }

  async get(tokenHash: string): Promise<TokenRecord | undefined> {
    const row = await this.db.selectFrom('identity_tokens as t')
      .innerJoin('identity_users as u', 'u.id', 't.user_id')
      .leftJoin('identity_projects as p', 'p.id', 't.project_id')
      .leftJoin('identity_app_credentials as c', 'c.id', 't.app_credential_id')
      .select([
        't.user_id', 't.project_id', 't.roles', 't.methods', 't.audit_ids', 't.app_credential_id', 't.issued_at', 't.expires_at', 't.revoked_at',
        'u.name as user_name', 'u.enabled as user_enabled', 'p.name as project_name', 'p.enabled as project_enabled', 'c.name as credential_name',
      ])
      .where('t.token_hash', '=', tokenHash)
      .executeTakeFirst();
    if (!row) return undefined;
    return {
      userId: row.user_id,
      projectId: row.project_id,
      roles: words(row.roles).filter(isRoleName),
      methods: words(row.methods),
      auditIds: words(row.audit_ids),
      applicationCredentialId: row.app_credential_id,
      issuedAt: new Date(Number(row.issued_at)),
      expiresAt: new Date(Number(row.expires_at)),
      revokedAt: row.revoked_at === null ? null : new Date(Number(row.revoked_at)),
      userName: row.user_name,
      userEnabled: row.user_enabled === 1,
      projectName: row.project_name,
      projectEnabled: row.project_enabled === null ? null : row.project_enabled === 1,
      applicationCredentialName: row.credential_name,
    };
  }

  async revoke(tokenHash: string, now: Date): Promise<boolean> {
    const result = await this.db.updateTable('identity_tokens').set({ revoked_at: now.getTime() })
      .where('token_hash', '=', tokenHash).where('revoked_at', 'is', null).executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  async revokeForUser(userId: string, now: Date, projectId?: string): Promise<number> {
    let update = this.db.updateTable('identity_tokens').set({ revoked_at: now.getTime() })
      .where('user_id', '=', userId).where('revoked_at', 'is', null).where('expires_at', '>', now.getTime());
    if (projectId !== undefined) update = update.where('project_id', '=', projectId);
    return Number((await update.executeTakeFirst()).numUpdatedRows);
  }

  async revokeForApplicationCredential(id: string, now: Date): Promise<number> {
    const result = await this.db.updateTable('identity_tokens').set({ revoked_at: now.getTime() })
      .where('app_credential_id', '=', id).where('revoked_at', 'is', null).where('expires_at', '>', now.getTime()).executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  async deleteExpired(cutoff: Date): Promise<number> {
    const result = await this.db.deleteFrom('identity_tokens').where('expires_at', '<', cutoff.getTime()).executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
