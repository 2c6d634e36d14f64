/**
 * First start of standalone identity: with no users at all, creates project "admin" and user
 * "admin" holding the admin role on it. The password is the configured one or, when none is,
 * a generated one the caller must save and announce (never a fixed default). Several nodes
 * starting together on one catalog race safely: the loser sees the duplicate and does nothing.
 */
import { randomBytes } from 'node:crypto';
import { ConflictError } from '../domain/errors.js';
import type { Project, User } from '../domain/identity.js';
import type { SecretHasher } from '../lib/secret-hash.js';
import type { IdentityStore } from './identity.ports.js';
import type { Clock } from './ports.js';
import { newIdentityId } from './token.service.js';

export const BOOTSTRAP_NAME = 'admin';

export type BootstrapResult =
  | { created: false }
  | { created: true; userId: string; projectId: string; /** Set when the password was generated here. */ generatedPassword?: string };

export class IdentityBootstrap {
  constructor(private readonly store: IdentityStore, private readonly hasher: SecretHasher, private readonly clock: Clock) {}

  async run(configuredPassword: string | undefined): Promise<BootstrapResult> {
    if ((await this.store.countUsers()) > 0) return { created: false };
    const now = this.clock.now();
    let project = await this.store.findProjectByName(BOOTSTRAP_NAME);
    if (!project) {
      const fresh: Project = { id: newIdentityId(), name: BOOTSTRAP_NAME, description: 'Bootstrap project for initializing the cloud.', enabled: true, createdAt: now };
      project = await this.ignoringDuplicate(() => this.store.createProject(fresh)) ? fresh : await this.store.findProjectByName(BOOTSTRAP_NAME);
      if (!project) return { created: false };
    }
    const password = configuredPassword ?? randomBytes(18).toString('base64url');
    const user: User = { id: newIdentityId(), name: BOOTSTRAP_NAME, enabled: true, defaultProjectId: project.id, createdAt: now };
    if (!(await this.ignoringDuplicate(async () => this.store.createUser(user, await this.hasher.hash(password))))) return { created: false };
    await this.store.addAssignment({ userId: user.id, projectId: project.id, role: 'admin' });
    return {
      created: true, userId: user.id, projectId: project.id, ...(configuredPassword === undefined ? { generatedPassword: password } : {}),
    };
  }

  /** False when another node created the same record first. */
  private async ignoringDuplicate(work: () => Promise<void>): Promise<boolean> {
    try {
      await work();
      return true;
    } catch (err) {
      if (err instanceof ConflictError) return false;
      throw err;
    }
  }
}
