/**
 * Metadata definition namespaces and resource types (Glance's metadefs API): list, create
 * (with contents), show (with contents), replace, delete; resource types and a namespace's
 * associations with them. Objects, properties and tags are in metadef-content.service.ts.
 * Every call is authorised through the policy with Glance's metadef action names.
 */
import { randomUUID } from 'node:crypto';
import { ConflictError, NotFoundError } from '../domain/errors.js';
import type {
  MetadefNamespace, MetadefVisibility, NamespaceContents, ResourceType, ResourceTypeAssociation, ValidationMode,
} from '../domain/metadef.js';
import { type NamespaceCreateInput, readAssociation, readNamespaceCreate, readNamespaceUpdate } from '../domain/metadef-document.js';
import type { Policy } from '../domain/policy.js';
import type { Principal } from '../domain/principal.js';
import { type MetadefAccess, namespaceNotFound, namespaceTarget } from './metadef-access.js';
import { isDuplicate, type MetadefCatalog, type NamespaceSortKey, type SortDir } from './metadef.ports.js';
import type { Clock } from './ports.js';

export interface MetadefLimits {
  listLimitDefault: number;
  listLimitMax: number;
}

/** A list request after the wire format has been parsed (see http/metadef-list.params.ts). */
export interface ListNamespacesParams {
  visibility?: MetadefVisibility;
  resourceTypes: string[];
  sortKey: NamespaceSortKey;
  sortDir: SortDir;
  marker?: string;
  limit?: number;
}

export interface NamespaceSummary {
  namespace: MetadefNamespace;
  associations: ResourceTypeAssociation[];
}

export interface NamespacePage {
  namespaces: NamespaceSummary[];
  /** Set when the page is full: the namespace to pass as the next marker. */
  nextMarker?: string;
}

export interface NamespaceDetail {
  namespace: MetadefNamespace;
  contents: NamespaceContents;
}

/** What a namespace made through the API checks by default: warns, never refuses. */
export const DEFAULT_VALIDATION: ValidationMode = 'warn';

export class MetadefService {
  constructor(
    private readonly catalog: MetadefCatalog,
    private readonly access: MetadefAccess,
    private readonly policy: Policy,
    private readonly clock: Clock,
    private readonly limits: MetadefLimits,
  ) {}

  async listNamespaces(principal: Principal, params: ListNamespacesParams): Promise<NamespacePage> {
    this.policy.enforce('get_metadef_namespaces', principal);
    const limit = Math.min(params.limit ?? this.limits.listLimitDefault, this.limits.listLimitMax);
    let marker: MetadefNamespace | undefined;
    if (params.marker !== undefined) {
      marker = await this.catalog.getNamespace(params.marker);
      if (!marker || !this.access.maySee(principal, marker)) throw namespaceNotFound(params.marker);
    }
    const found = await this.catalog.listNamespaces({
      viewer: { isAdmin: this.policy.isAdmin(principal), projectId: principal.projectId },
      visibility: params.visibility,
      resourceTypes: params.resourceTypes,
      sortKey: params.sortKey,
      sortDir: params.sortDir,
      marker,
      limit,
    });
    // The query applies the usual visibility; a policy file may hide more.
    const visible = found.filter((ns) => this.access.maySee(principal, ns));
    const associations = await this.catalog.associationsOf(visible.map((ns) => ns.id));
    const page: NamespacePage = { namespaces: visible.map((ns) => ({ namespace: ns, associations: associations.get(ns.id) ?? [] })) };
    if (found.length === limit && limit > 0) page.nextMarker = found[found.length - 1]!.namespace;
    return page;
  }

  async createNamespace(principal: Principal, body: unknown): Promise<NamespaceDetail> {
    const created = newNamespace(readNamespaceCreate(body), { owner: principal.projectId, visibility: 'private', protected: false }, this.clock.now());
    this.policy.enforce('add_metadef_namespace', principal, namespaceTarget(created.namespace));
    const stored = await this.catalog.createNamespace(created.namespace, created.contents);
    if (isDuplicate(stored)) throw duplicateNamespace(created.namespace.namespace);
    return created;
  }

  /**
   * The namespace with its objects, properties, tags and associations. With a resource type,
   * property names carry that association's prefix, as they are set on such resources.
   */
  async showNamespace(principal: Principal, name: string, resourceType?: string): Promise<NamespaceDetail> {
    const namespace = await this.access.load(principal, name, 'get_metadef_namespace');
    const contents = await this.catalog.contents(namespace.id);
    const prefix = resourceType === undefined ? null : contents.resourceTypeAssociations.find((a) => a.name === resourceType)?.prefix ?? null;
    if (!prefix) return { namespace, contents };
    return {
      namespace,
      contents: {
        ...contents,
        properties: contents.properties.map((p) => ({ ...p, name: prefix + p.name })),
        objects: contents.objects.map((o) => ({
          ...o,
          properties: Object.fromEntries(Object.entries(o.properties).map(([key, value]) => [prefix + key, value])),
          required: o.required.map((key) => prefix + key),
        })),
      },
    };
  }

  /**
   * Replaces the namespace's own fields, as Glance's PUT does: visibility and protected fall
   * back to private and false when left out. The owner and Imago's validation mode stay as
   * they are unless given, so a Glance client that knows neither does not reset them.
   */
  async updateNamespace(principal: Principal, name: string, body: unknown): Promise<MetadefNamespace> {
    const namespace = await this.access.load(principal, name, 'modify_metadef_namespace');
    const input = readNamespaceUpdate(body);
    const updated = await this.catalog.updateNamespace(namespace.id, {
      namespace: input.namespace,
      displayName: input.displayName,
      description: input.description,
      visibility: input.visibility ?? 'private',
      protected: input.protected ?? false,
      owner: input.owner ?? namespace.owner,
      validation: input.validation ?? namespace.validation,
      updatedAt: this.clock.now(),
    });
    if (isDuplicate(updated)) throw duplicateNamespace(input.namespace);
    if (!updated) throw namespaceNotFound(name);
    return updated;
  }

  async deleteNamespace(principal: Principal, name: string): Promise<void> {
    const namespace = await this.access.loadForDelete(principal, name, 'delete_metadef_namespace', 'it');
    if (!(await this.catalog.deleteNamespace(namespace.id))) throw namespaceNotFound(name);
  }

  async listResourceTypes(principal: Principal): Promise<ResourceType[]> {
    this.policy.enforce('list_metadef_resource_types', principal);
    return this.catalog.listResourceTypes();
  }

  async listAssociations(principal: Principal, name: string): Promise<ResourceTypeAssociation[]> {
    const namespace = await this.access.load(principal, name, 'get_metadef_resource_type');
    return this.catalog.listAssociations(namespace.id);
  }

  async createAssociation(principal: Principal, name: string, body: unknown): Promise<ResourceTypeAssociation> {
    const namespace = await this.access.load(principal, name, 'add_metadef_resource_type_association');
    const input = readAssociation(body);
    const now = this.clock.now();
    const created = await this.catalog.createAssociation(namespace.id, { ...input, createdAt: now, updatedAt: now });
    if (isDuplicate(created)) {
      throw new ConflictError(`Namespace ${name} is already associated with resource type ${input.name}.`, { reason: 'metadef.association_duplicate' });
    }
    return created;
  }

  async deleteAssociation(principal: Principal, name: string, resourceType: string): Promise<void> {
    const namespace = await this.access.loadForDelete(principal, name, 'remove_metadef_resource_type_association', 'its resource type associations');
    if (!(await this.catalog.deleteAssociation(namespace.id, resourceType))) {
      throw new NotFoundError(`Namespace ${name} is not associated with resource type ${resourceType}.`, { reason: 'metadef.association_not_found' });
    }
  }
}

/** A new namespace and its contents from a create body; `defaults` fill what the body leaves out. */
export function newNamespace(
  input: NamespaceCreateInput,
  defaults: Pick<MetadefNamespace, 'owner' | 'visibility' | 'protected'>,
  now: Date,
): NamespaceDetail {
  const namespace: MetadefNamespace = {
    id: randomUUID(),
    namespace: input.namespace,
    displayName: input.displayName,
    description: input.description,
    visibility: input.visibility ?? defaults.visibility,
    protected: input.protected ?? defaults.protected,
    owner: input.owner ?? defaults.owner,
    validation: input.validation ?? DEFAULT_VALIDATION,
    createdAt: now,
    updatedAt: now,
  };
  const stamp = { createdAt: now, updatedAt: now };
  const name = namespace.namespace;
  const contents: NamespaceContents = {
    objects: unique(input.objects, (o) => o.name, 'object', name).map((o) => ({ ...o, ...stamp })),
    properties: unique(input.properties, (p) => p.name, 'property', name).map((p) => ({ ...p, ...stamp })),
    tags: unique(input.tags, (t) => t, 'tag', name).map((tag) => ({ name: tag, ...stamp })),
    resourceTypeAssociations: unique(input.associations, (a) => a.name, 'resource type association', name).map((a) => ({ ...a, ...stamp })),
  };
  return { namespace, contents };
}

function duplicateNamespace(name: string): ConflictError {
  return new ConflictError(`A metadata definition namespace named ${name} already exists.`, { reason: 'metadef.namespace_duplicate' });
}

/** Two items of one name in a create body would trip the catalog's keys; say which instead. */
function unique<T>(items: readonly T[], nameOf: (item: T) => string, kind: string, namespace: string): T[] {
  const seen = new Set<string>();
  for (const item of items) {
    const name = nameOf(item);
    if (seen.has(name)) throw new ConflictError(`The ${kind} ${name} appears twice in namespace ${namespace}.`, { reason: 'metadef.duplicate_in_body' });
    seen.add(name);
  }
  return [...items];
}

