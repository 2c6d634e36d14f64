/**
 * Finding a namespace for a caller and authorising an action on it, as Glance does: a
 * namespace the caller may not see (a private one of another project, or one the
 * get_metadef_namespace rule hides) answers 404 for every action, so its existence does not
 * leak; any other denial is 403. Rules see the namespace's owner as `project_id` and its
 * visibility as `visibility`.
 */
import { ForbiddenError, NotFoundError } from '../domain/errors.js';
import type { MetadefNamespace } from '../domain/metadef.js';
import type { ImageAction, Policy, PolicyTarget } from '../domain/policy.js';
import type { Principal } from '../domain/principal.js';
import type { MetadefCatalog } from './metadef.ports.js';

export function namespaceTarget(namespace: Pick<MetadefNamespace, 'namespace' | 'owner' | 'visibility'>): PolicyTarget {
  return { attributes: { project_id: namespace.owner, owner: namespace.owner, visibility: namespace.visibility, namespace: namespace.namespace } };
}

export function namespaceNotFound(name: string): NotFoundError {
  return new NotFoundError(`Metadata definition namespace ${name} was not found.`, { reason: 'metadef.namespace_not_found' });
}

export class MetadefAccess {
  constructor(private readonly catalog: MetadefCatalog, private readonly policy: Policy) {}

  /** Whether the caller may see the namespace at all. */
  maySee(principal: Principal, namespace: MetadefNamespace): boolean {
    const inScope = namespace.visibility === 'public' || namespace.owner === principal.projectId || this.policy.isAdmin(principal);
    return inScope && this.policy.can('get_metadef_namespace', principal, namespaceTarget(namespace));
  }

  /** The namespace, once the caller may see it and do `action` to it. */
  async load(principal: Principal, name: string, action: ImageAction): Promise<MetadefNamespace> {
    const namespace = await this.catalog.getNamespace(name);
    if (!namespace || !this.maySee(principal, namespace)) throw namespaceNotFound(name);
    this.policy.enforce(action, principal, namespaceTarget(namespace));
    return namespace;
  }

  /** Like load, for deletions: nothing in a protected namespace may be deleted. */
  async loadForDelete(principal: Principal, name: string, action: ImageAction, what: string): Promise<MetadefNamespace> {
    const namespace = await this.load(principal, name, action);
    if (namespace.protected) {
      throw new ForbiddenError(`Namespace ${name} is protected: ${what} cannot be deleted (set protected to false first).`, { reason: 'metadef.protected' });
    }
    return namespace;
  }
}
