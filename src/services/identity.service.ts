/**
 * Users, projects, role assignments and application credentials of Imago's standalone
 * identity service. Every use-case is authorised through the policy: 'identity:manage' for
 * the admin's operations, 'identity:self' for what a user may do to their own records.
 */
import { randomBytes } from 'node:crypto';
import { BadRequestError, ForbiddenError, NotFoundError } from '../domain/errors.js';
import {
  effectiveRoles, ROLES, validName, type ApplicationCredential, type Project, type RoleAssignment, type RoleName, type User,
} from '../domain/identity.js';
import type { Policy } from '../domain/policy.js';
import type { Principal } from '../domain/principal.js';
import type { SecretHasher } from '../lib/secret-hash.js';
import type { ApplicationCredentialStore, AssignmentFilter, IdentityStore, TokenRecord, TokenStore } from './identity.ports.js';
import type { Clock } from './ports.js';
import { newIdentityId } from './token.service.js';

export interface ProjectInput {
  name: string;
  description?: string;
  enabled?: boolean;
}

export interface UserInput {
  name: string;
  password?: string | null;
  enabled?: boolean;
  defaultProjectId?: string | null;
}

export interface CredentialInput {
  name: string;
  description?: string;
  /** Chosen by the user, or generated when omitted. */
  secret?: string;
  /** A subset of the caller's roles on the token's project (all of them when omitted). */
  roles?: RoleName[];
  expiresAt?: Date | null;
}

const PASSWORD_MAX = 4096;

export class IdentityService {
  constructor(
    private readonly store: IdentityStore,
    private readonly credentials: ApplicationCredentialStore,
    private readonly tokens: TokenStore,
    private readonly hasher: SecretHasher,
    private readonly policy: Policy,
    private readonly clock: Clock,
  ) {}

  // Projects

  async listProjects(principal: Principal, filter: { name?: string } = {}): Promise<Project[]> {
    this.policy.enforce('identity:manage', principal);
    return this.store.listProjects(filter);
  }

  async getProject(principal: Principal, id: string): Promise<Project> {
    this.policy.enforce('identity:manage', principal);
    return this.requireProject(id);
  }

  async createProject(principal: Principal, input: ProjectInput): Promise<Project> {
    this.policy.enforce('identity:manage', principal);
    if (!validName(input.name)) throw new BadRequestError('Invalid input for field \'name\': a project name is 1 to 255 characters.', { reason: 'identity.invalid_name' });
    const project: Project = {
      id: newIdentityId(), name: input.name, description: input.description ?? '', enabled: input.enabled ?? true, createdAt: this.clock.now(),
    };
    await this.store.createProject(project);
    return project;
  }

  async updateProject(principal: Principal, id: string, changes: Partial<ProjectInput>): Promise<Project> {
    this.policy.enforce('identity:manage', principal);
    if (changes.name !== undefined && !validName(changes.name)) throw new BadRequestError('Invalid input for field \'name\': a project name is 1 to 255 characters.', { reason: 'identity.invalid_name' });
    const project = await this.store.updateProject(id, changes);
    if (!project) throw projectNotFound(id);
    return project;
  }

  async deleteProject(principal: Principal, id: string): Promise<void> {
    this.policy.enforce('identity:manage', principal);
    if (!(await this.store.deleteProject(id))) throw projectNotFound(id);
  }

  /** The enabled projects the caller has a role on (GET /v3/auth/projects). */
  async listOwnProjects(principal: Principal): Promise<Project[]> {
    if (principal.userId === null) return [];
    this.policy.enforce('identity:self', principal, { userId: principal.userId });
    const assignments = await this.store.listAssignments({ userId: principal.userId });
    const projects = await this.store.listProjects({ ids: [...new Set(assignments.map((a) => a.projectId))] });
    return projects.filter((p) => p.enabled);
  }

  // Users

  async listUsers(principal: Principal, filter: { name?: string } = {}): Promise<User[]> {
    this.policy.enforce('identity:manage', principal);
    return this.store.listUsers(filter);
  }

  /** An admin reads any user; a user reads themself. */
  async getUser(principal: Principal, id: string): Promise<User> {
    this.policy.enforce('identity:self', principal, { userId: id });
    const { passwordHash: _hash, ...user } = await this.requireUser(id);
    return user;
  }

  async createUser(principal: Principal, input: UserInput): Promise<User> {
    this.policy.enforce('identity:manage', principal);
    if (!validName(input.name)) throw new BadRequestError('Invalid input for field \'name\': a user name is 1 to 255 characters.', { reason: 'identity.invalid_name' });
    if (input.defaultProjectId) await this.requireProject(input.defaultProjectId);
    const user: User = {
      id: newIdentityId(), name: input.name, enabled: input.enabled ?? true, defaultProjectId: input.defaultProjectId ?? null, createdAt: this.clock.now(),
    };
    await this.store.createUser(user, await this.passwordHash(input.password));
    return user;
  }

  /** Disabling a user or changing their password revokes their tokens, as Keystone does. */
  async updateUser(principal: Principal, id: string, changes: Partial<UserInput>): Promise<User> {
    this.policy.enforce('identity:manage', principal);
    if (changes.name !== undefined && !validName(changes.name)) throw new BadRequestError('Invalid input for field \'name\': a user name is 1 to 255 characters.', { reason: 'identity.invalid_name' });
    if (changes.defaultProjectId) await this.requireProject(changes.defaultProjectId);
    const updated = await this.store.updateUser(id, {
      ...(changes.name !== undefined ? { name: changes.name } : {}),
      ...(changes.enabled !== undefined ? { enabled: changes.enabled } : {}),
      ...(changes.defaultProjectId !== undefined ? { defaultProjectId: changes.defaultProjectId } : {}),
      ...(changes.password !== undefined ? { passwordHash: await this.passwordHash(changes.password) } : {}),
    });
    if (!updated) throw userNotFound(id);
    if (changes.enabled === false || changes.password !== undefined) await this.tokens.revokeForUser(id, this.clock.now());
    const { passwordHash: _hash, ...user } = updated;
    return user;
  }

  async deleteUser(principal: Principal, id: string): Promise<void> {
    this.policy.enforce('identity:manage', principal);
    if (!(await this.store.deleteUser(id))) throw userNotFound(id);
  }

  // Roles and assignments

  listRoles(principal: Principal, filter: { name?: string } = {}): RoleName[] {
    this.policy.enforce('identity:manage', principal);
    return ROLES.filter((r) => filter.name === undefined || r === filter.name);
  }

  getRole(principal: Principal, id: string): RoleName {
    this.policy.enforce('identity:manage', principal);
    return requireRole(id);
  }

  async assignRole(principal: Principal, userId: string, projectId: string, role: string): Promise<void> {
    this.policy.enforce('identity:manage', principal);
    const assignment = await this.resolveAssignment(userId, projectId, role);
    await this.store.addAssignment(assignment);
  }

  /** Removing a role revokes the user's tokens on that project, whose roles would be stale. */
  async unassignRole(principal: Principal, userId: string, projectId: string, role: string): Promise<void> {
    this.policy.enforce('identity:manage', principal);
    const assignment = await this.resolveAssignment(userId, projectId, role);
    if (!(await this.store.removeAssignment(assignment))) throw assignmentNotFound(assignment);
    await this.tokens.revokeForUser(userId, this.clock.now(), projectId);
  }

  async checkRole(principal: Principal, userId: string, projectId: string, role: string): Promise<void> {
    this.policy.enforce('identity:manage', principal);
    const assignment = await this.resolveAssignment(userId, projectId, role);
    const found = await this.store.listAssignments(assignment);
    if (found.length === 0) throw assignmentNotFound(assignment);
  }

  /**
   * Assignments as stored or, with `effective`, with the roles each implies (as Keystone's
   * `?effective` lists what tokens will carry).
   */
  async listAssignments(principal: Principal, filter: AssignmentFilter & { effective?: boolean } = {}): Promise<RoleAssignment[]> {
    this.policy.enforce('identity:manage', principal);
    const { effective, role, ...where } = filter;
    const stored = await this.store.listAssignments(effective ? where : filter);
    if (!effective) return stored;
    const expanded = stored.flatMap((a) => effectiveRoles([a.role]).map((r) => ({ ...a, role: r })));
    const unique = new Map(expanded.map((a) => [`${a.userId} ${a.projectId} ${a.role}`, a]));
    return [...unique.values()].filter((a) => role === undefined || a.role === role);
  }

  // Application credentials: a user manages their own (an admin may read and delete any).

  async createCredential(principal: Principal, caller: TokenRecord, userId: string, input: CredentialInput): Promise<{ credential: ApplicationCredential; secret: string }> {
    // Only for oneself, from a project-scoped token not itself made from a credential.
    if (principal.userId !== userId || caller.userId !== userId) {
      throw new ForbiddenError('You are not authorized to create application credentials for another user.', { reason: 'policy.identity:self' });
    }
    this.policy.enforce('identity:self', principal, { userId });
    if (caller.applicationCredentialId) throw new ForbiddenError('An application credential cannot create another one.', { reason: 'identity.credential_from_credential' });
    if (!caller.projectId) throw new ForbiddenError('Application credentials are made from a project-scoped token.', { reason: 'identity.unscoped_token' });
    if (!validName(input.name)) throw new BadRequestError('Invalid input for field \'name\': a credential name is 1 to 255 characters.', { reason: 'identity.invalid_name' });
    const roles = input.roles ?? caller.roles;
    const beyond = roles.filter((r) => !caller.roles.includes(r));
    if (beyond.length > 0) throw new ForbiddenError(`You do not have the role(s) ${beyond.join(', ')} on this project.`, { reason: 'identity.role_not_held' });
    if (roles.length === 0) throw new BadRequestError('An application credential needs at least one role.', { reason: 'identity.no_roles' });
    const now = this.clock.now();
    if (input.expiresAt && input.expiresAt.getTime() <= now.getTime()) throw new BadRequestError('expires_at must be in the future.', { reason: 'identity.expired' });
    if (input.secret !== undefined && (typeof input.secret !== 'string' || input.secret === '' || input.secret.length > PASSWORD_MAX)) {
      throw new BadRequestError('Invalid input for field \'secret\'.', { reason: 'identity.invalid_secret' });
    }
    const secret = input.secret ?? randomBytes(32).toString('base64url');
    const credential: ApplicationCredential = {
      id: newIdentityId(),
      userId,
      projectId: caller.projectId,
      name: input.name,
      description: input.description ?? '',
      roles: [...roles],
      expiresAt: input.expiresAt ?? null,
      createdAt: now,
    };
    await this.credentials.create(credential, await this.hasher.hash(secret));
    return { credential, secret };
  }

  async listCredentials(principal: Principal, userId: string, filter: { name?: string } = {}): Promise<ApplicationCredential[]> {
    this.policy.enforce('identity:self', principal, { userId });
    return this.credentials.list(userId, filter);
  }

  async getCredential(principal: Principal, userId: string, id: string): Promise<ApplicationCredential> {
    this.policy.enforce('identity:self', principal, { userId });
    const found = await this.credentials.get(id);
    if (!found || found.userId !== userId) throw credentialNotFound(id);
    const { secretHash: _hash, ...credential } = found;
    return credential;
  }

  /** Deleting a credential revokes the tokens made from it. */
  async deleteCredential(principal: Principal, userId: string, id: string): Promise<void> {
    await this.getCredential(principal, userId, id);
    await this.credentials.delete(id);
    await this.tokens.revokeForApplicationCredential(id, this.clock.now());
  }

  private async passwordHash(password: string | null | undefined): Promise<string | null> {
    if (password === undefined || password === null) return null;
    if (typeof password !== 'string' || password === '' || password.length > PASSWORD_MAX) {
      throw new BadRequestError('Invalid input for field \'password\'.', { reason: 'identity.invalid_password' });
    }
    return this.hasher.hash(password);
  }

  private async requireProject(id: string): Promise<Project> {
    const project = await this.store.getProject(id);
    if (!project) throw projectNotFound(id);
    return project;
  }

  private async requireUser(id: string) {
    const user = await this.store.getUser(id);
    if (!user) throw userNotFound(id);
    return user;
  }

  private async resolveAssignment(userId: string, projectId: string, role: string): Promise<RoleAssignment> {
    await this.requireUser(userId);
    await this.requireProject(projectId);
    return { userId, projectId, role: requireRole(role) };
  }
}

function requireRole(id: string): RoleName {
  const role = ROLES.find((r) => r === id);
  if (!role) throw new NotFoundError(`Could not find role: ${id}.`, { reason: 'identity.role_not_found' });
  return role;
}

const projectNotFound = (id: string) => new NotFoundError(`Could not find project: ${id}.`, { reason: 'identity.project_not_found' });
const userNotFound = (id: string) => new NotFoundError(`Could not find user: ${id}.`, { reason: 'identity.user_not_found' });
const credentialNotFound = (id: string) => new NotFoundError(`Could not find application credential: ${id}.`, { reason: 'identity.application_credential_not_found' });
const assignmentNotFound = (a: RoleAssignment) => new NotFoundError(
  `Could not find role assignment with role: ${a.role}, user or group: ${a.userId}, project, domain, or system: ${a.projectId}.`,
  { reason: 'identity.assignment_not_found' },
);
