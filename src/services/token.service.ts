/**
 * Issues, validates and revokes Imago's own tokens (standalone identity), following Keystone
 * v3's rules for the password, token and application_credential methods and project scope.
 * A token is 256 random bits shown to the client once; the catalog keeps its SHA-256 only.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { NotFoundError } from '../domain/errors.js';
import {
  effectiveRoles, isDefaultDomain, type AuthMethod, type AuthRequest, type IssuedToken, type Project, type ProjectRef, type RoleName, type UserRef,
} from '../domain/identity.js';
import type { Policy } from '../domain/policy.js';
import type { Principal } from '../domain/principal.js';
import type { SecretHasher } from '../lib/secret-hash.js';
import { AuthenticationFailure } from './auth-failure.js';
import type { ApplicationCredentialStore, IdentityStore, TokenRecord, TokenStore, UserRecord } from './identity.ports.js';
import type { Clock } from './ports.js';

export interface TokenServiceOptions {
  ttlSeconds: number;
}

export interface IssuedTokenResult {
  /** The token itself: returned to the client once and never stored. */
  token: string;
  info: TokenRecord;
}

/** Expired tokens are kept this long (so a late validation still reads "expired"), then pruned. */
const PRUNE_AFTER_MS = 24 * 3600 * 1000;
/** Pruning runs on every Nth token issued by this node (and at start-up). */
const PRUNE_EVERY = 500;

export const tokenDigest = (token: string): string => createHash('sha256').update(token).digest('hex');

/** Tokens are 43 base64url characters; anything else is rejected without a catalog lookup. */
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;

const auditId = (): string => randomBytes(16).toString('base64url').slice(0, 22);

export class TokenService {
  private issuedSincePrune = 0;

  constructor(
    private readonly identities: IdentityStore,
    private readonly credentials: ApplicationCredentialStore,
    private readonly tokens: TokenStore,
    private readonly hasher: SecretHasher,
    private readonly clock: Clock,
    private readonly policy: Policy,
    private readonly options: TokenServiceOptions,
  ) {}

  async issue(request: AuthRequest): Promise<IssuedTokenResult> {
    const now = this.clock.now();
    const grant = await this.authenticate(request.identity, now);
    let project: Project | null;
    let roles: RoleName[];
    if (grant.fixedProject) {
      // An application credential's token is always scoped to the credential's project.
      if (request.scope && !(await this.refersTo(request.scope.project, grant.fixedProject))) {
        throw new AuthenticationFailure('application credential used with another project scope');
      }
      project = grant.fixedProject;
      roles = grant.roles ?? [];
    } else {
      project = request.scope ? await this.resolveProject(request.scope.project)
        : grant.keepProjectId !== undefined ? await this.projectOrNull(grant.keepProjectId)
          : await this.defaultProject(grant.user);
      roles = project ? await this.rolesOn(grant.user.id, project.id) : [];
      if (project && roles.length === 0) {
        if (request.scope) throw new AuthenticationFailure(`user ${grant.user.id} has no role on project ${project.id}`);
        project = null; // a default project without a role is ignored, as Keystone does
      }
    }
    if (project && !project.enabled) throw new AuthenticationFailure(`project ${project.id} is disabled`);

    const ttlEnd = now.getTime() + this.options.ttlSeconds * 1000;
    const expiresAt = new Date(Math.min(ttlEnd, grant.notAfter?.getTime() ?? ttlEnd));
    const issued: IssuedToken = {
      userId: grant.user.id,
      projectId: project?.id ?? null,
      roles,
      methods: grant.methods,
      auditIds: [auditId(), ...grant.parentAuditIds],
      applicationCredentialId: grant.credential?.id ?? null,
      issuedAt: now,
      expiresAt,
    };
    const token = randomBytes(32).toString('base64url');
    await this.tokens.insert(tokenDigest(token), issued);
    await this.pruneNowAndThen(now);
    return {
      token,
      info: {
        ...issued,
        revokedAt: null,
        userName: grant.user.name,
        userEnabled: true,
        projectName: project?.name ?? null,
        projectEnabled: project ? true : null,
        applicationCredentialName: grant.credential?.name ?? null,
      },
    };
  }

  /** The token's record when it is valid now; AuthenticationFailure otherwise. */
  async validate(token: string): Promise<TokenRecord> {
    if (!TOKEN_SHAPE.test(token)) throw new AuthenticationFailure('token of the wrong shape');
    const record = await this.tokens.get(tokenDigest(token));
    if (!record) throw new AuthenticationFailure('unknown token');
    if (record.revokedAt) throw new AuthenticationFailure(`revoked token (audit id ${record.auditIds[0]})`);
    if (record.expiresAt.getTime() <= this.clock.now().getTime()) throw new AuthenticationFailure(`expired token (audit id ${record.auditIds[0]})`);
    if (!record.userEnabled) throw new AuthenticationFailure(`token of disabled user ${record.userId}`);
    if (record.projectEnabled === false) throw new AuthenticationFailure(`token scoped to disabled project ${record.projectId}`);
    return record;
  }

  /**
   * Another token's record, for GET/HEAD /auth/tokens: a user may look at their own tokens,
   * an admin at any. NotFoundError when it is not valid now (as Keystone answers).
   */
  async inspect(principal: Principal, subject: string): Promise<TokenRecord> {
    let record: TokenRecord;
    try {
      record = await this.validate(subject);
    } catch (err) {
      if (!(err instanceof AuthenticationFailure)) throw err;
      throw new NotFoundError('Could not find token.', { cause: err, reason: 'identity.token_not_found' });
    }
    this.policy.enforce('identity:self', principal, { userId: record.userId });
    return record;
  }

  /** Revokes a valid token (the caller's own, or any for an admin). */
  async revoke(principal: Principal, subject: string): Promise<void> {
    await this.inspect(principal, subject);
    await this.tokens.revoke(tokenDigest(subject), this.clock.now());
  }

  /** Deletes tokens that expired a while ago; run at start-up and now and then on issue. */
  async prune(): Promise<number> {
    return this.tokens.deleteExpired(new Date(this.clock.now().getTime() - PRUNE_AFTER_MS));
  }

  private async pruneNowAndThen(now: Date): Promise<void> {
    this.issuedSincePrune += 1;
    if (this.issuedSincePrune < PRUNE_EVERY) return;
    this.issuedSincePrune = 0;
    await this.tokens.deleteExpired(new Date(now.getTime() - PRUNE_AFTER_MS));
  }

  /** Who the method proves the caller to be, and what it limits the new token to. */
  private async authenticate(identity: AuthMethod, now: Date): Promise<Grant> {
    switch (identity.method) {
      case 'password': {
        const user = await this.findUser(identity.user);
        // Runs the KDF even when the user is unknown: equal time for both failures.
        const ok = await this.hasher.verify(identity.password, user?.passwordHash);
        if (!user) throw new AuthenticationFailure(`password for unknown user ${describeUser(identity.user)}`);
        if (!ok) throw new AuthenticationFailure(`wrong password for user ${user.id}`);
        if (!user.enabled) throw new AuthenticationFailure(`disabled user ${user.id}`);
        return { user, methods: ['password'], parentAuditIds: [] };
      }
      case 'token': {
        const parent = await this.validate(identity.token);
        if (parent.applicationCredentialId) throw new AuthenticationFailure('a token from an application credential cannot be exchanged');
        const user = await this.identities.getUser(parent.userId);
        if (!user) throw new AuthenticationFailure(`token of deleted user ${parent.userId}`);
        // A token made from another never outlives it.
        return { user, methods: ['token'], parentAuditIds: [parent.auditIds[0]!], notAfter: parent.expiresAt, keepProjectId: parent.projectId };
      }
      case 'application_credential': {
        let credential;
        let owner: UserRecord | undefined;
        if ('id' in identity) {
          credential = await this.credentials.get(identity.id);
          owner = credential && (await this.identities.getUser(credential.userId));
        } else {
          owner = await this.findUser(identity.user);
          credential = owner && (await this.credentials.findByName(owner.id, identity.name));
        }
        const ok = await this.hasher.verify(identity.secret, credential?.secretHash);
        if (!credential || !owner) throw new AuthenticationFailure('unknown application credential');
        if (!ok) throw new AuthenticationFailure(`wrong secret for application credential ${credential.id}`);
        if (!owner.enabled) throw new AuthenticationFailure(`application credential of disabled user ${owner.id}`);
        if (credential.expiresAt && credential.expiresAt.getTime() <= now.getTime()) throw new AuthenticationFailure(`expired application credential ${credential.id}`);
        const project = await this.identities.getProject(credential.projectId);
        if (!project) throw new AuthenticationFailure(`application credential ${credential.id} of a deleted project`);
        // The credential never carries more than its user still has on the project.
        const current = await this.rolesOn(owner.id, project.id);
        const roles = effectiveRoles(credential.roles.filter((r) => current.includes(r)));
        if (roles.length === 0) throw new AuthenticationFailure(`user ${owner.id} no longer has the roles of application credential ${credential.id}`);
        return {
          user: owner, methods: ['application_credential'], parentAuditIds: [], notAfter: credential.expiresAt ?? undefined,
          fixedProject: project, roles, credential,
        };
      }
    }
  }

  private async findUser(ref: UserRef): Promise<UserRecord | undefined> {
    if ('id' in ref) return this.identities.getUser(ref.id);
    if (!isDefaultDomain(ref.domain)) return undefined;
    return this.identities.findUserByName(ref.name);
  }

  private async resolveProject(ref: ProjectRef): Promise<Project> {
    const project = 'id' in ref
      ? await this.identities.getProject(ref.id)
      : isDefaultDomain(ref.domain) ? await this.identities.findProjectByName(ref.name) : undefined;
    if (!project) throw new AuthenticationFailure(`scope to unknown project ${'id' in ref ? ref.id : ref.name}`);
    return project;
  }

  private async refersTo(ref: ProjectRef, project: Project): Promise<boolean> {
    if ('id' in ref) return ref.id === project.id;
    return isDefaultDomain(ref.domain) && ref.name === project.name;
  }

  private async defaultProject(user: UserRecord): Promise<Project | null> {
    return this.projectOrNull(user.defaultProjectId);
  }

  private async projectOrNull(id: string | null): Promise<Project | null> {
    return id === null ? null : (await this.identities.getProject(id)) ?? null;
  }

  private async rolesOn(userId: string, projectId: string): Promise<RoleName[]> {
    const assignments = await this.identities.listAssignments({ userId, projectId });
    return effectiveRoles(assignments.map((a) => a.role));
  }
}

interface Grant {
  user: UserRecord;
  methods: string[];
  parentAuditIds: string[];
  /** The new token may not outlive this (the token exchanged, the credential's expiry). */
  notAfter?: Date | undefined;
  /** The token method keeps the exchanged token's project when no scope is asked for. */
  keepProjectId?: string | null;
  /** An application credential fixes the project and the roles. */
  fixedProject?: Project;
  roles?: RoleName[];
  credential?: { id: string; name: string };
}

/** For logs: which user a request named (never a password). */
function describeUser(ref: UserRef): string {
  return 'id' in ref ? ref.id : `${ref.name} in domain ${'id' in ref.domain ? ref.domain.id : ref.domain.name}`;
}

/** The caller as the rest of Imago sees them; an unscoped token has no project and no roles. */
export function principalFromToken(record: TokenRecord): Principal {
  return { projectId: record.projectId ?? '', userId: record.userId, roles: record.roles };
}

export const newIdentityId = (): string => randomUUID().replaceAll('-', '');
