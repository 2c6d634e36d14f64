/**
 * Parses the body of Keystone v3's POST /auth/tokens into the service's AuthRequest. Anything
 * malformed is a 400 naming the field, so a client bug is told apart from bad credentials
 * (which the service answers with one uniform 401).
 */
import { BadRequestError, UnauthorizedError } from '../domain/errors.js';
import type { AuthMethod, AuthRequest, DomainRef, ProjectRef, UserRef } from '../domain/identity.js';

type Obj = Record<string, unknown>;

const invalid = (field: string): BadRequestError =>
  new BadRequestError(`Invalid input for field '${field}'.`, { reason: 'identity.invalid_auth_body' });

function object(value: unknown, field: string): Obj {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw invalid(field);
  return value as Obj;
}

function text(value: unknown, field: string): string {
  if (typeof value !== 'string' || value === '' || value.length > 4096) throw invalid(field);
  return value;
}

function domainRef(value: unknown, field: string): DomainRef {
  const domain = object(value, field);
  if (domain.id !== undefined) return { id: text(domain.id, `${field}.id`) };
  return { name: text(domain.name, `${field}.name`) };
}

function userRef(value: unknown, field: string): UserRef {
  const user = object(value, field);
  if (user.id !== undefined) return { id: text(user.id, `${field}.id`) };
  if (user.domain === undefined) throw new BadRequestError(`Expecting to find domain in ${field.split('.').pop()}.`, { reason: 'identity.invalid_auth_body' });
  return { name: text(user.name, `${field}.name`), domain: domainRef(user.domain, `${field}.domain`) };
}

function projectRef(value: unknown, field: string): ProjectRef {
  const project = object(value, field);
  if (project.id !== undefined) return { id: text(project.id, `${field}.id`) };
  if (project.domain === undefined) throw new BadRequestError('Expecting to find domain in project.', { reason: 'identity.invalid_auth_body' });
  return { name: text(project.name, `${field}.name`), domain: domainRef(project.domain, `${field}.domain`) };
}

/** `headerToken` is the request's X-Auth-Token: the token method may name its token that way. */
export function parseAuthBody(body: unknown, headerToken: string | undefined): AuthRequest {
  const auth = object(object(body, 'body').auth, 'auth');
  const identity = object(auth.identity, 'auth.identity');
  const methods = identity.methods;
  if (!Array.isArray(methods) || methods.length === 0 || !methods.every((m) => typeof m === 'string')) throw invalid('auth.identity.methods');
  if (methods.length > 1) throw new UnauthorizedError('Only one authentication method is supported per request.', { reason: 'identity.unsupported_method' });
  let parsed: AuthMethod;
  switch (methods[0]) {
    case 'password': {
      const user = object(object(identity.password, 'auth.identity.password').user, 'auth.identity.password.user');
      parsed = { method: 'password', user: userRef(user, 'auth.identity.password.user'), password: text(user.password, 'auth.identity.password.user.password') };
      break;
    }
    case 'token': {
      const token = identity.token === undefined ? {} : object(identity.token, 'auth.identity.token');
      parsed = { method: 'token', token: text(token.id ?? headerToken, 'auth.identity.token.id') };
      break;
    }
    case 'application_credential': {
      const credential = object(identity.application_credential, 'auth.identity.application_credential');
      const secret = text(credential.secret, 'auth.identity.application_credential.secret');
      parsed = credential.id !== undefined
        ? { method: 'application_credential', id: text(credential.id, 'auth.identity.application_credential.id'), secret }
        : {
          method: 'application_credential',
          name: text(credential.name, 'auth.identity.application_credential.name'),
          user: userRef(credential.user, 'auth.identity.application_credential.user'),
          secret,
        };
      break;
    }
    default:
      throw new UnauthorizedError(`Unsupported authentication method: ${String(methods[0]).slice(0, 64)}.`, { reason: 'identity.unsupported_method' });
  }
  if (auth.scope === undefined || auth.scope === 'unscoped') return { identity: parsed };
  const scope = object(auth.scope, 'auth.scope');
  if (scope.project === undefined) {
    throw new BadRequestError('Imago scopes tokens to projects only (no domain or system scope).', { reason: 'identity.unsupported_scope' });
  }
  return { identity: parsed, scope: { project: projectRef(scope.project, 'auth.scope.project') } };
}
