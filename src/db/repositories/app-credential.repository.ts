/** Application credentials of Imago's identity service; secrets are stored hashed only. */
import type { Kysely, Selectable } from 'kysely';
import { ConflictError } from '../../domain/errors.js';
import { isRoleName, type ApplicationCredential } from '../../domain/identity.js';
import type { ApplicationCredentialRecord, ApplicationCredentialStore } from '../../services/identity.ports.js';
import type { Database, IdentityAppCredentialsTable } from '../schema.js';
import { isUniqueViolation } from './unique-violation.js';

const fromRow = (row: Selectable<IdentityAppCredentialsTable>): ApplicationCredentialRecord => ({
  id: row.id,
  userId: row.user_id,
  projectId: row.project_id,
  name: row.name,
  description: row.description,
  roles: row.roles.split(' ').filter(isRoleName),
  expiresAt: row.expires_at === null ? null : new Date(Number(row.expires_at)),
  createdAt: new Date(Number(row.created_at)),
  secretHash: row.secret_hash,
});

const withoutSecret = ({ secretHash: _hash, ...credential }: ApplicationCredentialRecord): ApplicationCredential => credential;

export class ApplicationCredentialRepository implements ApplicationCredentialStore {
  constructor(private readonly db: Kysely<Database>) {}

  async create(credential: ApplicationCredential, secretHash: string): Promise<void> {
    try {
      await this.db.insertInto('identity_app_credentials').values({
        id: credential.id,
        user_id: credential.userId,
        project_id: credential.projectId,
        name: credential.name,
        description: credential.description,
        secret_hash: secretHash,
        roles: credential.roles.join(' '),
        expires_at: credential.expiresAt?.getTime() ?? null,
        created_at: credential.createdAt.getTime(),
      }).execute();
    } catch (err) {
      if (isUniqueViolation(err)) {
        throw new ConflictError(`Conflict occurred attempting to store application_credential - Duplicate entry found with name ${credential.name}.`, { cause: err, reason: 'identity.duplicate_application_credential' });
      }
      throw err;
    }
  }

  async get(id: string): Promise<ApplicationCredentialRecord | undefined> {
    const row = await this.db.selectFrom('identity_app_credentials').selectAll().where('id', '=', id).executeTakeFirst();
    return row && fromRow(row);
  }

  async findByName(userId: string, name: string): Promise<ApplicationCredentialRecord | undefined> {
    const row = await this.db.selectFrom('identity_app_credentials').selectAll().where('user_id', '=', userId).where('name', '=', name).executeTakeFirst();
    return row && fromRow(row);
  }

  async list(userId: string, filter: { name?: string } = {}): Promise<ApplicationCredential[]> {
    let query = this.db.selectFrom('identity_app_credentials').selectAll().where('user_id', '=', userId).orderBy('name');
    if (filter.name !== undefined) query = query.where('name', '=', filter.name);
    return (await query.execute()).map((row) => withoutSecret(fromRow(row)));
  }

  async delete(id: string): Promise<boolean> {
    const result = await this.db.deleteFrom('identity_app_credentials').where('id', '=', id).executeTakeFirst();
    return result.numDeletedRows > 0n;
  }
}
