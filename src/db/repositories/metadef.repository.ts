/** Metadata definitions (the metadef_* tables). Same code on SQLite and PostgreSQL. */
import { type Kysely, type Selectable, type Transaction, sql } from 'kysely';
import {
  IMAGE_RESOURCE_TYPE, type MetadefNamespace, type MetadefTag, type MetadefVisibility, type NamespaceContents,
  type PropertyDefinition, type ResourceType, type ResourceTypeAssociation, type ValidationMode,
} from '../../domain/metadef.js';
import {
  DUPLICATE, type DocumentKind, type Duplicate, type ImageRuleRow, type MetadefCatalog, type NamespaceChanges,
  type NamespaceListQuery, type StoredDocument, type TagListQuery,
} from '../../services/metadef.ports.js';
import type { Database, MetadefAssociationsTable, MetadefDocumentsTable, MetadefNamespacesTable } from '../schema.js';
import { isUniqueViolation } from './unique-violation.js';

type Db = Kysely<Database> | Transaction<Database>;

const date = (ms: number): Date => new Date(Number(ms));

const namespaceFromRow = (row: Selectable<MetadefNamespacesTable>): MetadefNamespace => ({
  id: row.id,
  namespace: row.namespace,
  displayName: row.display_name,
  description: row.description,
  visibility: row.visibility as MetadefVisibility,
  protected: row.protected === 1,
  owner: row.owner,
  validation: row.validation as ValidationMode,
  createdAt: date(row.created_at),
  updatedAt: date(row.updated_at),
});

const documentFromRow = (row: Selectable<MetadefDocumentsTable>): StoredDocument => ({
  name: row.name,
  document: JSON.parse(row.document) as unknown,
  createdAt: date(row.created_at),
  updatedAt: date(row.updated_at),
});

const associationFromRow = (row: Selectable<MetadefAssociationsTable>): ResourceTypeAssociation => ({
  name: row.resource_type,
  prefix: row.prefix,
  propertiesTarget: row.properties_target,
  createdAt: date(row.created_at),
  updatedAt: date(row.updated_at),
});

const tagFromRow = (row: { name: string; created_at: number; updated_at: number }): MetadefTag => ({
  name: row.name, createdAt: date(row.created_at), updatedAt: date(row.updated_at),
});

/** Runs `work`, answering DUPLICATE when it trips a unique constraint (its transaction is rolled back). */
async function unlessDuplicate<T>(work: () => Promise<T>): Promise<T | Duplicate> {
  try {
    return await work();
  } catch (err) {
    if (isUniqueViolation(err)) return DUPLICATE;
    throw err;
  }
}

export class MetadefRepository implements MetadefCatalog {
  constructor(private readonly db: Kysely<Database>) {}

  async getNamespace(name: string): Promise<MetadefNamespace | undefined> {
    const row = await this.db.selectFrom('metadef_namespaces').selectAll().where('namespace', '=', name).executeTakeFirst();
    return row && namespaceFromRow(row);
  }

  async listNamespaces(query: NamespaceListQuery): Promise<MetadefNamespace[]> {
    let q = this.db.selectFrom('metadef_namespaces').selectAll();
    if (!query.viewer.isAdmin) {
      q = q.where((eb) => eb.or([eb('visibility', '=', 'public'), eb('owner', '=', query.viewer.projectId)]));
    }
    if (query.visibility) q = q.where('visibility', '=', query.visibility);
    if (query.resourceTypes.length > 0) {
      q = q.where('id', 'in', this.db.selectFrom('metadef_associations').select('namespace_id').where('resource_type', 'in', query.resourceTypes));
    }
    const { sortKey, sortDir, marker } = query;
    const op = sortDir === 'desc' ? '<' : '>';
    if (marker) {
      if (sortKey === 'namespace') {
        q = q.where('namespace', op, marker.namespace);
      } else {
        const value = (sortKey === 'created_at' ? marker.createdAt : marker.updatedAt).getTime();
        q = q.where((eb) => eb.or([
          eb(sortKey, op, value),
          eb.and([eb(sortKey, '=', value), eb('namespace', op, marker.namespace)]),
        ]));
      }
    }
    q = q.orderBy(sortKey, sortDir);
    if (sortKey !== 'namespace') q = q.orderBy('namespace', sortDir);
    const rows = await q.limit(query.limit).execute();
    return rows.map(namespaceFromRow);
  }

  async createNamespace(namespace: MetadefNamespace, contents: NamespaceContents): Promise<MetadefNamespace | Duplicate> {
    return unlessDuplicate(() => this.db.transaction().execute(async (trx) => {
      await insertNamespace(trx, namespace, contents);
      return namespace;
    }));
  }

  async updateNamespace(id: string, changes: NamespaceChanges): Promise<MetadefNamespace | Duplicate | undefined> {
    const values: Partial<MetadefNamespacesTable> = { updated_at: changes.updatedAt.getTime() };
    if (changes.namespace !== undefined) values.namespace = changes.namespace;
    if (changes.displayName !== undefined) values.display_name = changes.displayName;
    if (changes.description !== undefined) values.description = changes.description;
    if (changes.visibility !== undefined) values.visibility = changes.visibility;
    if (changes.protected !== undefined) values.protected = changes.protected ? 1 : 0;
    if (changes.owner !== undefined) values.owner = changes.owner;
    if (changes.validation !== undefined) values.validation = changes.validation;
    return unlessDuplicate(async () => {
      const row = await this.db.updateTable('metadef_namespaces').set(values).where('id', '=', id).returningAll().executeTakeFirst();
      return row && namespaceFromRow(row);
    });
  }

  async deleteNamespace(id: string): Promise<boolean> {
    const result = await this.db.deleteFrom('metadef_namespaces').where('id', '=', id).executeTakeFirst();
    return result.numDeletedRows > 0n;
  }

  async contents(namespaceId: string): Promise<NamespaceContents> {
    const [objects, properties, tags, resourceTypeAssociations] = await Promise.all([
      this.listDocuments('objects', namespaceId),
      this.listDocuments('properties', namespaceId),
      this.listTags(namespaceId, { sortKey: 'created_at', sortDir: 'asc' }),
      this.listAssociations(namespaceId),
    ]);
    return {
      objects: objects.map(({ name, document, createdAt, updatedAt }) => ({ name, ...(document as ObjectDocument), createdAt, updatedAt })),
      properties: properties.map(({ name, document, createdAt, updatedAt }) => ({ name, definition: document as PropertyDefinition, createdAt, updatedAt })),
      tags,
      resourceTypeAssociations,
    };
  }

  async associationsOf(namespaceIds: readonly string[]): Promise<Map<string, ResourceTypeAssociation[]>> {
    const byNamespace = new Map<string, ResourceTypeAssociation[]>();
    if (namespaceIds.length === 0) return byNamespace;
    const rows = await this.db.selectFrom('metadef_associations').selectAll().where('namespace_id', 'in', namespaceIds)
      .orderBy('created_at').orderBy('resource_type').execute();
    for (const row of rows) {
      const list = byNamespace.get(row.namespace_id) ?? [];
      list.push(associationFromRow(row));
      byNamespace.set(row.namespace_id, list);
    }
    return byNamespace;
  }

  async listDocuments(kind: DocumentKind, namespaceId: string): Promise<StoredDocument[]> {
    const rows = await this.db.selectFrom(tableOf(kind)).selectAll().where('namespace_id', '=', namespaceId)
      .orderBy('created_at').orderBy('name').execute();
    return rows.map(documentFromRow);
  }

  async getDocument(kind: DocumentKind, namespaceId: string, name: string): Promise<StoredDocument | undefined> {
    const row = await this.db.selectFrom(tableOf(kind)).selectAll().where('namespace_id', '=', namespaceId).where('name', '=', name).executeTakeFirst();
    return row && documentFromRow(row);
  }

  async createDocument(kind: DocumentKind, namespaceId: string, document: StoredDocument): Promise<StoredDocument | Duplicate> {
    return unlessDuplicate(async () => {
      await insertDocument(this.db, kind, namespaceId, document);
      return document;
    });
  }

  async updateDocument(kind: DocumentKind, namespaceId: string, name: string, document: Omit<StoredDocument, 'createdAt'>): Promise<StoredDocument | Duplicate | undefined> {
    return unlessDuplicate(async () => {
      const row = await this.db.updateTable(tableOf(kind))
        .set({ name: document.name, document: JSON.stringify(document.document), updated_at: document.updatedAt.getTime() })
        .where('namespace_id', '=', namespaceId).where('name', '=', name).returningAll().executeTakeFirst();
      return row && documentFromRow(row);
    });
  }

  async deleteDocument(kind: DocumentKind, namespaceId: string, name: string): Promise<boolean> {
    const result = await this.db.deleteFrom(tableOf(kind)).where('namespace_id', '=', namespaceId).where('name', '=', name).executeTakeFirst();
    return result.numDeletedRows > 0n;
  }

  async deleteDocuments(kind: DocumentKind, namespaceId: string): Promise<void> {
    await this.db.deleteFrom(tableOf(kind)).where('namespace_id', '=', namespaceId).execute();
  }

  async listTags(namespaceId: string, query: TagListQuery): Promise<MetadefTag[]> {
    let q = this.db.selectFrom('metadef_tags').select(['name', 'created_at', 'updated_at']).where('namespace_id', '=', namespaceId);
    const op = query.sortDir === 'desc' ? '<' : '>';
    const marker = query.marker;
    if (marker) {
      if (query.sortKey === 'name') {
        q = q.where('name', op, marker.name);
      } else {
        const value = marker.createdAt.getTime();
        q = q.where((eb) => eb.or([eb('created_at', op, value), eb.and([eb('created_at', '=', value), eb('name', op, marker.name)])]));
      }
    }
    q = q.orderBy(query.sortKey, query.sortDir);
    if (query.sortKey !== 'name') q = q.orderBy('name', query.sortDir);
    if (query.limit !== undefined) q = q.limit(query.limit);
    return (await q.execute()).map(tagFromRow);
  }

  async getTag(namespaceId: string, name: string): Promise<MetadefTag | undefined> {
    const row = await this.db.selectFrom('metadef_tags').select(['name', 'created_at', 'updated_at'])
      .where('namespace_id', '=', namespaceId).where('name', '=', name).executeTakeFirst();
    return row && tagFromRow(row);
  }

  async createTags(namespaceId: string, names: readonly string[], now: Date, options: { replace: boolean }): Promise<MetadefTag[] | Duplicate> {
    return unlessDuplicate(() => this.db.transaction().execute(async (trx) => {
      if (options.replace) await trx.deleteFrom('metadef_tags').where('namespace_id', '=', namespaceId).execute();
      const tags = names.map((name) => ({ name, createdAt: now, updatedAt: now }));
      await insertTags(trx, namespaceId, tags);
      return tags;
    }));
  }

  async renameTag(namespaceId: string, name: string, newName: string, now: Date): Promise<MetadefTag | Duplicate | undefined> {
    return unlessDuplicate(async () => {
      const row = await this.db.updateTable('metadef_tags').set({ name: newName, updated_at: now.getTime() })
        .where('namespace_id', '=', namespaceId).where('name', '=', name).returning(['name', 'created_at', 'updated_at']).executeTakeFirst();
      return row && tagFromRow(row);
    });
  }

  async deleteTag(namespaceId: string, name: string): Promise<boolean> {
    const result = await this.db.deleteFrom('metadef_tags').where('namespace_id', '=', namespaceId).where('name', '=', name).executeTakeFirst();
    return result.numDeletedRows > 0n;
  }

  async deleteTags(namespaceId: string): Promise<void> {
    await this.db.deleteFrom('metadef_tags').where('namespace_id', '=', namespaceId).execute();
  }

  async listResourceTypes(): Promise<ResourceType[]> {
    const rows = await this.db.selectFrom('metadef_resource_types').selectAll().orderBy('name').execute();
    return rows.map((row) => ({ name: row.name, protected: row.protected === 1, createdAt: date(row.created_at), updatedAt: date(row.updated_at) }));
  }

  async listAssociations(namespaceId: string): Promise<ResourceTypeAssociation[]> {
    return (await this.associationsOf([namespaceId])).get(namespaceId) ?? [];
  }

  async createAssociation(namespaceId: string, association: ResourceTypeAssociation): Promise<ResourceTypeAssociation | Duplicate> {
    return unlessDuplicate(() => this.db.transaction().execute(async (trx) => {
      await insertAssociations(trx, namespaceId, [association]);
      return association;
    }));
  }

  async deleteAssociation(namespaceId: string, resourceType: string): Promise<boolean> {
    const result = await this.db.deleteFrom('metadef_associations').where('namespace_id', '=', namespaceId).where('resource_type', '=', resourceType).executeTakeFirst();
    return result.numDeletedRows > 0n;
  }

  async imageRules(keys: readonly string[], owner: string | null): Promise<ImageRuleRow[]> {
    if (keys.length === 0) return [];
    const applicable = this.db.selectFrom('metadef_associations as a')
      .innerJoin('metadef_namespaces as n', 'n.id', 'a.namespace_id')
      .where('a.resource_type', '=', IMAGE_RESOURCE_TYPE)
      .where('n.validation', '<>', 'off')
      .where((eb) => (owner === null ? eb('n.visibility', '=', 'public') : eb.or([eb('n.visibility', '=', 'public'), eb('n.owner', '=', owner)])));
    // `||` concatenates on both dialects; the key is what the image carries.
    const properties = await applicable.innerJoin('metadef_properties as p', 'p.namespace_id', 'n.id')
      .select(['n.namespace', 'n.validation', 'a.prefix', 'p.name', 'p.document'])
      .where(sql<string>`coalesce(a.prefix, '') || p.name`, 'in', keys)
      .execute();
    // An object's definitions sit inside its document, so its keys are matched here.
    const objects = await applicable.innerJoin('metadef_objects as o', 'o.namespace_id', 'n.id')
      .select(['n.namespace', 'n.validation', 'a.prefix', 'o.name', 'o.document'])
      .execute();
    const wanted = new Set(keys);
    const rules: ImageRuleRow[] = properties.map((row) => ({
      namespace: row.namespace, mode: row.validation as ValidationMode, prefix: row.prefix, object: null,
      name: row.name, definition: JSON.parse(row.document) as PropertyDefinition,
    }));
    for (const row of objects) {
      const document = JSON.parse(row.document) as ObjectDocument;
      for (const [name, definition] of Object.entries(document.properties ?? {})) {
        if (!wanted.has(`${row.prefix ?? ''}${name}`)) continue;
        rules.push({ namespace: row.namespace, mode: row.validation as ValidationMode, prefix: row.prefix, object: row.name, name, definition });
      }
    }
    return rules;
  }

  async seeded(): Promise<Set<string>> {
    const rows = await this.db.selectFrom('metadef_seeds').select('namespace').execute();
    return new Set(rows.map((r) => r.namespace));
  }

  async seedNamespace(namespace: MetadefNamespace, contents: NamespaceContents, now: Date): Promise<'loaded' | 'skipped'> {
    const outcome = await unlessDuplicate(() => this.db.transaction().execute(async (trx) => {
      // First, so a concurrent load of the same namespace fails here and rolls back whole.
      await trx.insertInto('metadef_seeds').values({ namespace: namespace.namespace, loaded_at: now.getTime() }).execute();
      const existing = await trx.selectFrom('metadef_namespaces').select('id').where('namespace', '=', namespace.namespace).executeTakeFirst();
      if (existing) return 'skipped' as const;
      await insertNamespace(trx, namespace, contents);
      return 'loaded' as const;
    }));
    return outcome === DUPLICATE ? 'skipped' : outcome as 'loaded' | 'skipped';
  }
}

/** What an object's document column holds (its name and timestamps are columns). */
interface ObjectDocument {
  description: string | null;
  required: string[];
  properties: Record<string, PropertyDefinition>;
}

function tableOf(kind: DocumentKind): 'metadef_objects' | 'metadef_properties' {
  return kind === 'objects' ? 'metadef_objects' : 'metadef_properties';
}

async function insertNamespace(trx: Transaction<Database>, namespace: MetadefNamespace, contents: NamespaceContents): Promise<void> {
  await trx.insertInto('metadef_namespaces').values({
    id: namespace.id,
    namespace: namespace.namespace,
    display_name: namespace.displayName,
    description: namespace.description,
    visibility: namespace.visibility,
    protected: namespace.protected ? 1 : 0,
    owner: namespace.owner,
    validation: namespace.validation,
    created_at: namespace.createdAt.getTime(),
    updated_at: namespace.updatedAt.getTime(),
  }).execute();
  for (const { name, description, required, properties, createdAt, updatedAt } of contents.objects) {
    await insertDocument(trx, 'objects', namespace.id, { name, document: { description, required, properties }, createdAt, updatedAt });
  }
  for (const { name, definition, createdAt, updatedAt } of contents.properties) {
    await insertDocument(trx, 'properties', namespace.id, { name, document: definition, createdAt, updatedAt });
  }
  await insertTags(trx, namespace.id, contents.tags);
  await insertAssociations(trx, namespace.id, contents.resourceTypeAssociations);
}

async function insertDocument(db: Db, kind: DocumentKind, namespaceId: string, document: StoredDocument): Promise<void> {
  await db.insertInto(tableOf(kind)).values({
    namespace_id: namespaceId,
    name: document.name,
    document: JSON.stringify(document.document),
    created_at: document.createdAt.getTime(),
    updated_at: document.updatedAt.getTime(),
  }).execute();
}

async function insertTags(db: Db, namespaceId: string, tags: readonly MetadefTag[]): Promise<void> {
  if (tags.length === 0) return;
  await db.insertInto('metadef_tags').values(tags.map((t) => ({
    namespace_id: namespaceId, name: t.name, created_at: t.createdAt.getTime(), updated_at: t.updatedAt.getTime(),
  }))).execute();
}

/** Resource types are created on first use; an existing one is left as it is. */
async function insertAssociations(trx: Transaction<Database>, namespaceId: string, associations: readonly ResourceTypeAssociation[]): Promise<void> {
  for (const association of associations) {
    await trx.insertInto('metadef_resource_types').values({
      name: association.name, protected: 0, created_at: association.createdAt.getTime(), updated_at: association.createdAt.getTime(),
    }).onConflict((oc) => oc.column('name').doNothing()).execute();
    await trx.insertInto('metadef_associations').values({
      namespace_id: namespaceId,
      resource_type: association.name,
      prefix: association.prefix,
      properties_target: association.propertiesTarget,
      created_at: association.createdAt.getTime(),
      updated_at: association.updatedAt.getTime(),
    }).execute();
  }
}
