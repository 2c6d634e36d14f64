/**
 * Parses the request bodies of the identity admin API (users, projects, application
 * credentials) into service inputs. Keystone's clients send more fields than Imago keeps
 * (email, tags, parent_id …); those are ignored, while a wrong type is a 400.
 */
import { BadRequestError } from '../domain/errors.js';
import { DEFAULT_DOMAIN, isRoleName, type RoleName } from '../domain/identity.js';
import type { CredentialInput, ProjectInput, UserInput } from '../services/identity.service.js';

type Obj = Record<string, unknown>;

const invalid = (field: string, why = ''): BadRequestError =>
  new BadRequestError(`Invalid input for field '${field}'${why}.`, { reason: 'identity.invalid_body' });

function envelope(body: unknown, key: string): Obj {
  const outer = body as Obj | null;
  const inner = outer !== null && typeof outer === 'object' && !Array.isArray(outer) ? outer[key] : undefined;
  if (inner === null || typeof inner !== 'object' || Array.isArray(inner)) throw invalid(key, ': expected an object');
  return inner as Obj;
}

function optionalString(value: unknown, field: string, allowNull = false): string | null | undefined {
  if (value === undefined || (allowNull && value === null)) return value as null | undefined;
  if (typeof value !== 'string') throw invalid(field);
  return value;
}

function optionalBool(value: unknown, field: string): boolean | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'boolean') throw invalid(field);
  return value;
}

function checkDomain(value: unknown, field: string): void {
  if (value !== undefined && value !== null && value !== DEFAULT_DOMAIN.id) throw invalid(field, `: the only domain is '${DEFAULT_DOMAIN.id}'`);
}

export function parseProjectBody(body: unknown, creating: true): ProjectInput;
export function parseProjectBody(body: unknown, creating: false): Partial<ProjectInput>;
export function parseProjectBody(body: unknown, creating: boolean): Partial<ProjectInput> {
  const project = envelope(body, 'project');
  checkDomain(project.domain_id, 'domain_id');
  if (project.is_domain === true) throw invalid('is_domain', ': Imago has no domains to create');
  const name = optionalString(project.name, 'name');
  if (creating && name === undefined) throw invalid('name', ': required');
  const description = optionalString(project.description, 'description', true);
  return {
    ...(name !== undefined && name !== null ? { name } : {}),
    ...(description !== undefined ? { description: description ?? '' } : {}),
    ...(project.enabled !== undefined ? { enabled: optionalBool(project.enabled, 'enabled') } : {}),
  };
}

export function parseUserBody(body: unknown, creating: true): UserInput;
export function parseUserBody(body: unknown, creating: false): Partial<UserInput>;
export function parseUserBody(body: unknown, creating: boolean): Partial<UserInput> {
  const user = envelope(body, 'user');
  checkDomain(user.domain_id, 'domain_id');
  const name = optionalString(user.name, 'name');
  if (creating && name === undefined) throw invalid('name', ': required');
  const password = optionalString(user.password, 'password', true);
  const defaultProjectId = optionalString(user.default_project_id, 'default_project_id', true);
  return {
    ...(name !== undefined && name !== null ? { name } : {}),
    ...(password !== undefined ? { password } : {}),
    ...(defaultProjectId !== undefined ? { defaultProjectId } : {}),
    ...(user.enabled !== undefined ? { enabled: optionalBool(user.enabled, 'enabled') } : {}),
  };
}

export function parseCredentialBody(body: unknown): CredentialInput {
  const credential = envelope(body, 'application_credential');
  const name = optionalString(credential.name, 'name');
  if (name === undefined || name === null) throw invalid('name', ': required');
  const description = optionalString(credential.description, 'description', true);
  const secret = optionalString(credential.secret, 'secret', true);
  const expires = optionalString(credential.expires_at, 'expires_at', true);
  let expiresAt: Date | null = null;
  if (expires) {
    // Keystone accepts ISO 8601 with or without a zone; without one it means UTC.
    expiresAt = new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(expires) ? expires : `${expires}Z`);
    if (Number.isNaN(expiresAt.getTime())) throw invalid('expires_at', ': expected an ISO 8601 time');
  }
  let roles: RoleName[] | undefined;
  if (credential.roles !== undefined && credential.roles !== null) {
    if (!Array.isArray(credential.roles)) throw invalid('roles', ': expected a list');
    roles = credential.roles.map((r: unknown, i) => {
      const ref = (r !== null && typeof r === 'object' ? r : {}) as Obj;
      const role = ref.id ?? ref.name;
      if (!isRoleName(role)) throw invalid(`roles[${i}]`, `: unknown role ${JSON.stringify(role)}`);
      return role;
    });
  }
  return {
    name,
    ...(description !== undefined && description !== null ? { description } : {}),
    ...(secret !== undefined && secret !== null ? { secret } : {}),
    ...(roles !== undefined ? { roles } : {}),
    expiresAt,
  };
}
