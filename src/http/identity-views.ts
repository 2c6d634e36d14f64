/**
 * Keystone v3's JSON shapes for Imago's identity records, so that keystoneauth,
 * openstacksdk and python-openstackclient read them unchanged. `base` is Imago's public
 * root URL (configured, or derived from the request's Host).
 */
import { createHash } from 'node:crypto';
import { DEFAULT_DOMAIN, type ApplicationCredential, type Project, type RoleAssignment, type RoleName, type User } from '../domain/identity.js';
import type { TokenRecord } from '../services/identity.ports.js';

export const IDENTITY_VERSION = 'v3.14';
export const REGION = 'RegionOne';

/** Keystone prints microseconds; Imago keeps milliseconds. */
export const keystoneTime = (date: Date): string => date.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');

const v3 = (base: string): string => `${base}/identity/v3`;

export function identityVersion(base: string): Record<string, unknown> {
  return {
    id: IDENTITY_VERSION,
    status: 'stable',
    updated: '2020-04-07T00:00:00Z',
    links: [{ rel: 'self', href: `${v3(base)}/` }],
    'media-types': [{ base: 'application/json', type: 'application/vnd.openstack.identity-v3+json' }],
  };
}

/** Stable ids for the catalog's entries (they name fixed things, so they never change). */
const catalogId = (...parts: string[]): string => createHash('sha256').update(parts.join('/')).digest('hex').slice(0, 32);

function service(type: string, name: string, url: string): Record<string, unknown> {
  return {
    id: catalogId(type),
    type,
    name,
    endpoints: ['public', 'internal', 'admin'].map((iface) => ({ id: catalogId(type, iface), interface: iface, region: REGION, region_id: REGION, url })),
  };
}

/** Imago's image endpoint (clients discover /v2 from its root) and this identity endpoint. */
export function serviceCatalog(base: string): unknown[] {
  return [service('image', 'glance', base), service('identity', 'keystone', `${base}/identity`)];
}

const domainRef = { id: DEFAULT_DOMAIN.id, name: DEFAULT_DOMAIN.name };

export function tokenView(record: TokenRecord, base: string, withCatalog: boolean): Record<string, unknown> {
  const token: Record<string, unknown> = {
    methods: record.methods,
    user: { domain: domainRef, id: record.userId, name: record.userName, password_expires_at: null },
    audit_ids: record.auditIds,
    expires_at: keystoneTime(record.expiresAt),
    issued_at: keystoneTime(record.issuedAt),
  };
  if (record.projectId !== null) {
    token.project = { domain: domainRef, id: record.projectId, name: record.projectName };
    token.is_domain = false;
    token.roles = record.roles.map((r) => ({ id: r, name: r }));
    if (withCatalog) token.catalog = serviceCatalog(base);
  }
  if (record.applicationCredentialId !== null) {
    token.application_credential = { id: record.applicationCredentialId, name: record.applicationCredentialName, restricted: true };
  }
  return { token };
}

export function userView(user: User, base: string): Record<string, unknown> {
  return {
    id: user.id,
    name: user.name,
    domain_id: DEFAULT_DOMAIN.id,
    enabled: user.enabled,
    ...(user.defaultProjectId ? { default_project_id: user.defaultProjectId } : {}),
    password_expires_at: null,
    options: {},
    links: { self: `${v3(base)}/users/${user.id}` },
  };
}

export function projectView(project: Project, base: string): Record<string, unknown> {
  return {
    id: project.id,
    name: project.name,
    description: project.description,
    enabled: project.enabled,
    domain_id: DEFAULT_DOMAIN.id,
    parent_id: DEFAULT_DOMAIN.id,
    is_domain: false,
    tags: [],
    options: {},
    links: { self: `${v3(base)}/projects/${project.id}` },
  };
}

export function roleView(role: RoleName, base: string): Record<string, unknown> {
  return { id: role, name: role, domain_id: null, description: null, options: {}, links: { self: `${v3(base)}/roles/${role}` } };
}

export interface AssignmentNames {
  user(id: string): string | undefined;
  project(id: string): string | undefined;
}

export function assignmentView(a: RoleAssignment, base: string, names?: AssignmentNames): Record<string, unknown> {
  const withName = (id: string, name: string | undefined) => (names ? { id, name, domain: domainRef } : { id });
  return {
    role: names ? { id: a.role, name: a.role } : { id: a.role },
    user: withName(a.userId, names?.user(a.userId)),
    scope: { project: withName(a.projectId, names?.project(a.projectId)) },
    links: { assignment: `${v3(base)}/projects/${a.projectId}/users/${a.userId}/roles/${a.role}` },
  };
}

export function credentialView(c: ApplicationCredential, base: string, secret?: string): Record<string, unknown> {
  return {
    id: c.id,
    name: c.name,
    description: c.description,
    user_id: c.userId,
    project_id: c.projectId,
    roles: c.roles.map((r) => ({ id: r, name: r, domain_id: null })),
    expires_at: c.expiresAt ? keystoneTime(c.expiresAt) : null,
    unrestricted: false,
    access_rules: [],
    ...(secret !== undefined ? { secret } : {}),
    links: { self: `${v3(base)}/users/${c.userId}/application_credentials/${c.id}` },
  };
}

/** Keystone's collection envelope: the list under its name, and links without paging. */
export function collection(name: string, items: unknown[], self: string): Record<string, unknown> {
  return { [name]: items, links: { self, previous: null, next: null } };
}
