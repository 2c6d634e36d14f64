/**
 * What metadata definition namespaces hold: objects, property definitions and tags. Each call
 * first finds the namespace as the caller may see it (404 otherwise), then enforces the
 * action's rule (403); deletions in a protected namespace are refused (403), as in Glance.
 */
import { ConflictError, NotFoundError } from '../domain/errors.js';
import type { MetadefObject, MetadefProperty, MetadefTag, PropertyDefinition } from '../domain/metadef.js';
import { readObject, readProperty, readTagName, readTagRename, readTags } from '../domain/metadef-document.js';
import type { Principal } from '../domain/principal.js';
import type { MetadefAccess } from './metadef-access.js';
import { isDuplicate, type DocumentKind, type MetadefCatalog, type SortDir, type StoredDocument } from './metadef.ports.js';
import type { Clock } from './ports.js';

export interface ListTagsParams {
  sortKey: 'created_at' | 'name';
  sortDir: SortDir;
  marker?: string;
  limit?: number;
}

const KIND_NAMES: Record<DocumentKind, string> = { objects: 'object', properties: 'property' };

const toObject = ({ name, document, createdAt, updatedAt }: StoredDocument): MetadefObject => {
  const { description, required, properties } = document as Pick<MetadefObject, 'description' | 'required' | 'properties'>;
  return { name, description, required, properties, createdAt, updatedAt };
};

const toProperty = ({ name, document, createdAt, updatedAt }: StoredDocument): MetadefProperty => ({
  name, definition: document as PropertyDefinition, createdAt, updatedAt,
});

export class MetadefContentService {
  constructor(
    private readonly catalog: MetadefCatalog,
    private readonly access: MetadefAccess,
    private readonly clock: Clock,
  ) {}

  async listObjects(principal: Principal, namespace: string): Promise<MetadefObject[]> {
    const ns = await this.access.load(principal, namespace, 'get_metadef_objects');
    return (await this.catalog.listDocuments('objects', ns.id)).map(toObject);
  }

  async getObject(principal: Principal, namespace: string, name: string): Promise<MetadefObject> {
    const ns = await this.access.load(principal, namespace, 'get_metadef_object');
    return toObject(await this.found('objects', ns.id, namespace, name));
  }

  async createObject(principal: Principal, namespace: string, body: unknown): Promise<MetadefObject> {
    const ns = await this.access.load(principal, namespace, 'add_metadef_object');
    const { name, ...document } = readObject(body);
    return toObject(await this.create('objects', ns.id, namespace, name, document));
  }

  async updateObject(principal: Principal, namespace: string, name: string, body: unknown): Promise<MetadefObject> {
    const ns = await this.access.load(principal, namespace, 'modify_metadef_object');
    const { name: newName, ...document } = readObject(body);
    return toObject(await this.update('objects', ns.id, namespace, name, newName, document));
  }

  async deleteObject(principal: Principal, namespace: string, name: string): Promise<void> {
    const ns = await this.access.loadForDelete(principal, namespace, 'delete_metadef_object', 'its objects');
    if (!(await this.catalog.deleteDocument('objects', ns.id, name))) throw notFound('object', name, namespace);
  }

  async listProperties(principal: Principal, namespace: string): Promise<MetadefProperty[]> {
    const ns = await this.access.load(principal, namespace, 'get_metadef_properties');
    return (await this.catalog.listDocuments('properties', ns.id)).map(toProperty);
  }

  /**
   * With a resource type, `name` is the property as set on such a resource (with the
   * association's prefix), as Glance accepts it.
   */
  async getProperty(principal: Principal, namespace: string, name: string, resourceType?: string): Promise<MetadefProperty> {
    const ns = await this.access.load(principal, namespace, 'get_metadef_property');
    let key = name;
    if (resourceType !== undefined) {
      const association = (await this.catalog.listAssociations(ns.id)).find((a) => a.name === resourceType);
      if (!association) throw new NotFoundError(`Namespace ${namespace} is not associated with resource type ${resourceType}.`, { reason: 'metadef.association_not_found' });
      const prefix = association.prefix ?? '';
      if (!name.startsWith(prefix)) {
        throw new NotFoundError(`Property ${name} does not start with the prefix '${prefix}' of resource type ${resourceType} in namespace ${namespace}.`, { reason: 'metadef.property_not_found' });
      }
      key = name.slice(prefix.length);
    }
    return toProperty(await this.found('properties', ns.id, namespace, key));
  }

  async createProperty(principal: Principal, namespace: string, body: unknown): Promise<MetadefProperty> {
    const ns = await this.access.load(principal, namespace, 'add_metadef_property');
    const { name, definition } = readProperty(body);
    return toProperty(await this.create('properties', ns.id, namespace, name, definition));
  }

  async updateProperty(principal: Principal, namespace: string, name: string, body: unknown): Promise<MetadefProperty> {
    const ns = await this.access.load(principal, namespace, 'modify_metadef_property');
    const { name: newName, definition } = readProperty(body);
    return toProperty(await this.update('properties', ns.id, namespace, name, newName, definition));
  }

  async deleteProperty(principal: Principal, namespace: string, name: string): Promise<void> {
    const ns = await this.access.loadForDelete(principal, namespace, 'remove_metadef_property', 'its properties');
    if (!(await this.catalog.deleteDocument('properties', ns.id, name))) throw notFound('property', name, namespace);
  }

  /** DELETE of a namespace's objects or properties: Glance asks for the right to delete the namespace. */
  async deleteAll(principal: Principal, namespace: string, kind: DocumentKind): Promise<void> {
    const ns = await this.access.loadForDelete(principal, namespace, 'delete_metadef_namespace', `its ${kind}`);
    await this.catalog.deleteDocuments(kind, ns.id);
  }

  async listTags(principal: Principal, namespace: string, params: ListTagsParams): Promise<MetadefTag[]> {
    const ns = await this.access.load(principal, namespace, 'get_metadef_tags');
    let marker: MetadefTag | undefined;
    if (params.marker !== undefined) {
      marker = await this.catalog.getTag(ns.id, params.marker);
      if (!marker) throw notFound('tag', params.marker, namespace);
    }
    return this.catalog.listTags(ns.id, { sortKey: params.sortKey, sortDir: params.sortDir, marker, limit: params.limit });
  }

  async getTag(principal: Principal, namespace: string, name: string): Promise<MetadefTag> {
    const ns = await this.access.load(principal, namespace, 'get_metadef_tag');
    const tag = await this.catalog.getTag(ns.id, name);
    if (!tag) throw notFound('tag', name, namespace);
    return tag;
  }

  async createTag(principal: Principal, namespace: string, name: string): Promise<MetadefTag> {
    const ns = await this.access.load(principal, namespace, 'add_metadef_tag');
    const created = await this.catalog.createTags(ns.id, [readTagName(name)], this.clock.now(), { replace: false });
    if (isDuplicate(created)) throw duplicate('tag', name, namespace);
    return created[0]!;
  }

  /**
   * Bulk create. Without `append` the namespace's tags are replaced by these (Glance's default);
   * with it (the X-Openstack-Append header) they are added, and one that exists already is a 409.
   */
  async createTags(principal: Principal, namespace: string, body: unknown, append: boolean): Promise<MetadefTag[]> {
    const ns = await this.access.load(principal, namespace, 'add_metadef_tags');
    const names = readTags(body);
    const twice = names.find((name, i) => names.indexOf(name) !== i);
    if (twice !== undefined) throw new ConflictError(`The tag ${twice} appears twice in the request.`, { reason: 'metadef.duplicate_in_body' });
    const created = await this.catalog.createTags(ns.id, names, this.clock.now(), { replace: !append });
    if (isDuplicate(created)) throw new ConflictError(`One of the tags already exists in namespace ${namespace}.`, { reason: 'metadef.tag_duplicate' });
    return created;
  }

  async renameTag(principal: Principal, namespace: string, name: string, body: unknown): Promise<MetadefTag> {
    const ns = await this.access.load(principal, namespace, 'modify_metadef_tag');
    const newName = readTagRename(body);
    const renamed = await this.catalog.renameTag(ns.id, name, newName, this.clock.now());
    if (isDuplicate(renamed)) throw duplicate('tag', newName, namespace);
    if (!renamed) throw notFound('tag', name, namespace);
    return renamed;
  }

  async deleteTag(principal: Principal, namespace: string, name: string): Promise<void> {
    const ns = await this.access.loadForDelete(principal, namespace, 'delete_metadef_tag', 'its tags');
    if (!(await this.catalog.deleteTag(ns.id, name))) throw notFound('tag', name, namespace);
  }

  async deleteTags(principal: Principal, namespace: string): Promise<void> {
    const ns = await this.access.loadForDelete(principal, namespace, 'delete_metadef_tags', 'its tags');
    await this.catalog.deleteTags(ns.id);
  }

  private async found(kind: DocumentKind, namespaceId: string, namespace: string, name: string): Promise<StoredDocument> {
    const document = await this.catalog.getDocument(kind, namespaceId, name);
    if (!document) throw notFound(KIND_NAMES[kind], name, namespace);
    return document;
  }

  private async create(kind: DocumentKind, namespaceId: string, namespace: string, name: string, document: unknown): Promise<StoredDocument> {
    const now = this.clock.now();
    const created = await this.catalog.createDocument(kind, namespaceId, { name, document, createdAt: now, updatedAt: now });
    if (isDuplicate(created)) throw duplicate(KIND_NAMES[kind], name, namespace);
    return created;
  }

  private async update(kind: DocumentKind, namespaceId: string, namespace: string, name: string, newName: string, document: unknown): Promise<StoredDocument> {
    const updated = await this.catalog.updateDocument(kind, namespaceId, name, { name: newName, document, updatedAt: this.clock.now() });
    if (isDuplicate(updated)) throw duplicate(KIND_NAMES[kind], newName, namespace);
    if (!updated) throw notFound(KIND_NAMES[kind], name, namespace);
    return updated;
  }
}

function notFound(kind: string, name: string, namespace: string): NotFoundError {
  return new NotFoundError(`The metadata definition ${kind} ${name} was not found in namespace ${namespace}.`, { reason: `metadef.${kind}_not_found` });
}

function duplicate(kind: string, name: string, namespace: string): ConflictError {
  return new ConflictError(`A metadata definition ${kind} named ${name} already exists in namespace ${namespace}.`, { reason: `metadef.${kind}_duplicate` });
}
