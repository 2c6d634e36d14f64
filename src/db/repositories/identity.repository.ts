/** Projects, users and role assignments of Imago's identity service. Same code on SQLite and PostgreSQL. */
import type { Kysely, Selectable } from 'kysely';
import { ConflictError } from '../../domain/errors.js';
import { isRoleName, type Project, type RoleAssignment, type User } from '../../domain/identity.js';
import type { AssignmentFilter, IdentityStore, ProjectChanges, UserChanges, UserRecord } from '../../services/identity.ports.js';
import type { Database, IdentityProjectsTable, IdentityUsersTable } from '../schema.js';
import { isUniqueViolation } from './unique-violation.js';

const projectFromRow = (row: Selectable<IdentityProjectsTable>): Project => ({
  id: row.id, name: row.name, description: row.description, enabled: row.enabled === 1, createdAt: new Date(Number(row.created_at)),
});

const userFromRow = (row: Selectable<IdentityUsersTable>): UserRecord => ({
  id: row.id,
  name: row.name,
  enabled: row.enabled === 1,
  defaultProjectId: row.default_project_id,
  createdAt: new Date(Number(row.created_at)),
  passwordHash: row.password_hash,
});

/** Lists show users without their password hash. */
const publicUser = ({ passwordHash: _hash, ...user }: UserRecord): User => user;

async function insertUnique(kind: string, name: string, insert: () => Promise<unknown>): Promise<void> {
  try {
    await insert();
  } catch (err) {
    if (isUniqueViolation(err)) throw new ConflictError(`Conflict occurred attempting to store ${kind} - Duplicate entry found with name ${name}.`, { cause: err, reason: `identity.duplicate_${kind}` });
    throw err;
  }
}

export class IdentityRepository implements IdentityStore {
  constructor(private readonly db: Kysely<Database>) {}

  async createProject(project: Project): Promise<void> {
    await insertUnique('project', project.name, () => this.db.insertInto('identity_projects').values({
      id: project.id, name: project.name, description: project.description, enabled: project.enabled ? 1 : 0, created_at: project.createdAt.getTime(),
    }).execute());
  }

  async getProject(id: string): Promise<Project | undefined> {
    const row = await this.db.selectFrom('identity_projects').selectAll().where('id', '=', id).executeTakeFirst();
    return row && projectFromRow(row);
  }

  async findProjectByName(name: string): Promise<Project | undefined> {
    const row = await this.db.selectFrom('identity_projects').selectAll().where('name', '=', name).executeTakeFirst();
    return row && projectFromRow(row);
  }

  async listProjects(filter: { name?: string; ids?: readonly string[] } = {}): Promise<Project[]> {
    if (filter.ids?.length === 0) return [];
    let query = this.db.selectFrom('identity_projects').selectAll().orderBy('name');
    if (filter.name !== undefined) query = query.where('name', '=', filter.name);
    if (filter.ids !== undefined) query = query.where('id', 'in', filter.ids);
    return (await query.execute()).map(projectFromRow);
  }

  async updateProject(id: string, changes: ProjectChanges): Promise<Project | undefined> {
    const set = {
      ...(changes.name !== undefined ? { name: changes.name } : {}),
      ...(changes.description !== undefined ? { description: changes.description } : {}),
      ...(changes.enabled !== undefined ? { enabled: changes.enabled ? 1 : 0 } : {}),
    };
    if (Object.keys(set).length > 0) {
      await insertUnique('project', changes.name ?? '', () => this.db.updateTable('identity_projects').set(set).where('id', '=', id).execute());
    }
    return this.getProject(id);
  }

  async deleteProject(id: string): Promise<boolean> {
    // Assignments, credentials and tokens go with it (ON DELETE CASCADE).
    const result = await this.db.deleteFrom('identity_projects').where('id', '=', id).executeTakeFirst();
    return result.numDeletedRows > 0n;
  }

  async createUser(user: User, passwordHash: string | null): Promise<void> {
    await insertUnique('user', user.name, () => this.db.insertInto('identity_users').values({
      id: user.id,
      name: user.name,
      password_hash: passwordHash,
      enabled: user.enabled ? 1 : 0,
      default_project_id: user.defaultProjectId,
      created_at: user.createdAt.getTime(),
    }).execute());
  }

  async getUser(id: string): Promise<UserRecord | undefined> {
    const row = await this.db.selectFrom('identity_users').selectAll().where('id', '=', id).executeTakeFirst();
    return row && userFromRow(row);
  }

  async findUserByName(name: string): Promise<UserRecord | undefined> {
    const row = await this.db.selectFrom('identity_users').selectAll().where('name', '=', name).executeTakeFirst();
    return row && userFromRow(row);
  }

  async listUsers(filter: { name?: string } = {}): Promise<User[]> {
    let query = this.db.selectFrom('identity_users').selectAll().orderBy('name');
    if (filter.name !== undefined) query = query.where('name', '=', filter.name);
    return (await query.execute()).map((row) => publicUser(userFromRow(row)));
  }

  async updateUser(id: string, changes: UserChanges): Promise<UserRecord | undefined> {
    const set = {
      ...(changes.name !== undefined ? { name: changes.name } : {}),
      ...(changes.enabled !== undefined ? { enabled: changes.enabled ? 1 : 0 } : {}),
      ...(changes.defaultProjectId !== undefined ? { default_project_id: changes.defaultProjectId } : {}),
      ...(changes.passwordHash !== undefined ? { password_hash: changes.passwordHash } : {}),
    };
    if (Object.keys(set).length > 0) {
      await insertUnique('user', changes.name ?? '', () => this.db.updateTable('identity_users').set(set).where('id', '=', id).execute());
    }
    return this.getUser(id);
  }

  async deleteUser(id: string): Promise<boolean> {
    const result = await this.db.deleteFrom('identity_users').where('id', '=', id).executeTakeFirst();
    return result.numDeletedRows > 0n;
  }

  async countUsers(): Promise<number> {
    const row = await this.db.selectFrom('identity_users').select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async addAssignment(assignment: RoleAssignment): Promise<void> {
    await this.db.insertInto('identity_role_assignments')
      .values({ user_id: assignment.userId, project_id: assignment.projectId, role: assignment.role })
      .onConflict((oc) => oc.columns(['user_id', 'project_id', 'role']).doNothing())
      .execute();
  }

  async removeAssignment(assignment: RoleAssignment): Promise<boolean> {
    const result = await this.db.deleteFrom('identity_role_assignments')
      .where('user_id', '=', assignment.userId).where('project_id', '=', assignment.projectId).where('role', '=', assignment.role)
      .executeTakeFirst();
    return result.numDeletedRows > 0n;
  }

  async listAssignments(filter: AssignmentFilter = {}): Promise<RoleAssignment[]> {
    let query = this.db.selectFrom('identity_role_assignments').selectAll().orderBy('user_id').orderBy('project_id').orderBy('role');
    if (filter.userId !== undefined) query = query.where('user_id', '=', filter.userId);
    if (filter.projectId !== undefined) query = query.where('project_id', '=', filter.projectId);
    if (filter.role !== undefined) query = query.where('role', '=', filter.role);
    const rows = await query.execute();
    return rows.flatMap((row) => (isRoleName(row.role) ? [{ userId: row.user_id, projectId: row.project_id, role: row.role }] : []));
  }
}
