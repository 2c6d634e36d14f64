/**
 * What Keystone mode needs from an external OpenStack Keystone. The concrete class is
 * keystone/keystone.client.ts (HTTP); app.ts wires it in, and unit tests pass a fake.
 */

/** A token Imago itself holds, as its service user, to ask Keystone about other tokens. */
export interface ServiceToken {
  token: string;
  expiresAt: Date;
}

/** What Keystone said about a user's token, reduced to what authorisation needs. */
export interface KeystoneTokenInfo {
  userId: string;
  /** Null when the token is unscoped, or scoped to a domain or the system rather than a project. */
  projectId: string | null;
  /** Role names on that project, implied roles included (Keystone expands them). */
  roles: string[];
  expiresAt: Date;
}

export type KeystoneValidation =
  | { kind: 'valid'; token: KeystoneTokenInfo }
  /** Keystone's 404: unknown, malformed, expired or revoked, or its user or project is disabled. */
  | { kind: 'invalid' }
  /** Keystone's 401: the service token itself is no longer accepted (expired, revoked). */
  | { kind: 'service_token_rejected' };

/**
 * Both methods throw ServiceUnavailableError when Keystone cannot be reached, fails, answers
 * something unexpected, or refuses the service user's credentials or permissions.
 */
export interface KeystoneIdentity {
  issueServiceToken(): Promise<ServiceToken>;
  validate(serviceToken: string, subjectToken: string): Promise<KeystoneValidation>;
}
