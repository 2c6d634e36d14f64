/**
 * Records of Imago's own identity service (standalone mode): projects, users, role
 * assignments, issued tokens and application credentials. Keystone-shaped so that OpenStack
 * clients can authenticate against Imago; there is one domain, "Default", as in a
 * Keystone with only its bootstrap domain.
 */

/** The only domain: clients name it by id (`default`) or by name (`Default`). */
export const DEFAULT_DOMAIN = Object.freeze({ id: 'default', name: 'Default' });

/** Roles in order of power. Like Keystone's default implied roles, each implies those before it. */
export const ROLES = ['reader', 'member', 'admin'] as const;
export type RoleName = (typeof ROLES)[number];

export function isRoleName(value: unknown): value is RoleName {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

/** The roles a token carries for the given assigned roles: each with everything it implies. */
export function effectiveRoles(assigned: readonly string[]): RoleName[] {
  const top = Math.max(-1, ...assigned.filter(isRoleName).map((r) => ROLES.indexOf(r)));
  return ROLES.slice(0, top + 1).reverse();
}

export interface Project {
  /** 32 hexadecimal digits, as Keystone's ids. */
  id: string;
  name: string;
  description: string;
  enabled: boolean;
  createdAt: Date;
}

export interface User {
  id: string;
  name: string;
  enabled: boolean;
  defaultProjectId: string | null;
  createdAt: Date;
}

export interface RoleAssignment {
  userId: string;
  projectId: string;
  role: RoleName;
}

/** A token Imago issued. The token itself is never stored, only its SHA-256. */
export interface IssuedToken {
  userId: string;
  /** null for an unscoped token (no project, no roles). */
  projectId: string | null;
  roles: RoleName[];
  methods: string[];
  /** This token's audit id first, then the one of the token it was exchanged from, if any. */
  auditIds: string[];
  applicationCredentialId: string | null;
  issuedAt: Date;
  expiresAt: Date;
}

export interface ApplicationCredential {
  id: string;
  userId: string;
  projectId: string;
  name: string;
  description: string;
  /** The roles tokens made from it carry (a subset of the creator's roles on the project). */
  roles: RoleName[];
  expiresAt: Date | null;
  createdAt: Date;
}

const NAME_MAX = 255;

/** Keystone's rule for user, project and credential names: 1 to 255 characters, not blank. */
export function validName(value: unknown): value is string {
  return typeof value === 'string' && value.trim() !== '' && value.length <= NAME_MAX;
}

/** How a client identifies a user: by id, or by name within the (only) domain. */
export type UserRef = { id: string } | { name: string; domain: DomainRef };
export type DomainRef = { id: string } | { name: string };
export type ProjectRef = { id: string } | { name: string; domain: DomainRef };

/** One method of a Keystone v3 authentication request, already parsed from its JSON. */
export type AuthMethod =
  | { method: 'password'; user: UserRef; password: string }
  | { method: 'token'; token: string }
  | { method: 'application_credential'; id: string; secret: string }
  | { method: 'application_credential'; name: string; user: UserRef; secret: string };

export interface AuthRequest {
  identity: AuthMethod;
  /** Omitted: the user's default project if they have a role on it, else an unscoped token. */
  scope?: { project: ProjectRef };
}

/** Whether a domain reference names the only domain (by id `default`, or by name). */
export function isDefaultDomain(ref: DomainRef): boolean {
  return 'id' in ref ? ref.id === DEFAULT_DOMAIN.id : ref.name.toLowerCase() === DEFAULT_DOMAIN.name.toLowerCase();
}
