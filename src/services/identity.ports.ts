/**
 * What the identity services need from the catalog. The concrete classes live in
 * db/repositories/ (identity, app-credential and token repositories); app.ts wires them in.
 */
import type { ApplicationCredential, IssuedToken, Project, RoleAssignment, RoleName, User } from '../domain/identity.js';

export interface UserRecord extends User {
  /** The encoded password hash, or null when the user has no password. */
  passwordHash: string | null;
}

export interface ProjectChanges {
  name?: string;
  description?: string;
  enabled?: boolean;
}

export interface UserChanges {
  name?: string;
  enabled?: boolean;
  defaultProjectId?: string | null;
  passwordHash?: string | null;
}

export interface AssignmentFilter {
  userId?: string;
  projectId?: string;
  role?: RoleName;
}

/** Projects, users and role assignments. Duplicate names throw ConflictError. */
export interface IdentityStore {
  createProject(project: Project): Promise<void>;
  getProject(id: string): Promise<Project | undefined>;
  findProjectByName(name: string): Promise<Project | undefined>;
  listProjects(filter?: { name?: string; ids?: readonly string[] }): Promise<Project[]>;
  updateProject(id: string, changes: ProjectChanges): Promise<Project | undefined>;
  /** Deletes the project with its assignments, credentials and tokens. */
  deleteProject(id: string): Promise<boolean>;

  createUser(user: User, passwordHash: string | null): Promise<void>;
  getUser(id: string): Promise<UserRecord | undefined>;
  findUserByName(name: string): Promise<UserRecord | undefined>;
  listUsers(filter?: { name?: string }): Promise<User[]>;
  updateUser(id: string, changes: UserChanges): Promise<UserRecord | undefined>;
  /** Deletes the user with their assignments, credentials and tokens. */
  deleteUser(id: string): Promise<boolean>;
  countUsers(): Promise<number>;

  /** Idempotent: assigning a role twice keeps one assignment. */
  addAssignment(assignment: RoleAssignment): Promise<void>;
  removeAssignment(assignment: RoleAssignment): Promise<boolean>;
  listAssignments(filter?: AssignmentFilter): Promise<RoleAssignment[]>;
}

export interface ApplicationCredentialRecord extends ApplicationCredential {
  secretHash: string;
}

export interface ApplicationCredentialStore {
  /** ConflictError when the user already has a credential of that name. */
  create(credential: ApplicationCredential, secretHash: string): Promise<void>;
  get(id: string): Promise<ApplicationCredentialRecord | undefined>;
  findByName(userId: string, name: string): Promise<ApplicationCredentialRecord | undefined>;
  list(userId: string, filter?: { name?: string }): Promise<ApplicationCredential[]>;
  delete(id: string): Promise<boolean>;
}

/** An issued token as stored, with what validating it needs to know about its user and project. */
export interface TokenRecord extends IssuedToken {
  revokedAt: Date | null;
  userName: string;
  userEnabled: boolean;
  projectName: string | null;
  projectEnabled: boolean | null;
  applicationCredentialName: string | null;
}

export interface TokenStore {
  insert(tokenHash: string, token: IssuedToken): Promise<void>;
  /** One round trip: the token joined with its user, project and credential. */
  get(tokenHash: string): Promise<TokenRecord | undefined>;
  /** False when no such token exists or it was already revoked. */
  revoke(tokenHash: string, now: Date): Promise<boolean>;
  /** Revokes a user's tokens: all of them, or those scoped to one project. */
  revokeForUser(userId: string, now: Date, projectId?: string): Promise<number>;
  revokeForApplicationCredential(id: string, now: Date): Promise<number>;
  /** Deletes tokens that expired before the cutoff (revoked or not). */
  deleteExpired(cutoff: Date): Promise<number>;
}
