/**
 * Metadata definitions as the API returns them (Glance's documents): absent optional fields
 * are left out rather than null, and links are relative, as Glance writes them.
 */
import { iso } from '../domain/image-document.js';
import type {
  MetadefNamespace, MetadefObject, MetadefProperty, MetadefTag, NamespaceContents, PropertyDefinition, ResourceType,
  ResourceTypeAssociation,
} from '../domain/metadef.js';

type Doc = Record<string, unknown>;

const stamps = (item: { createdAt: Date; updatedAt: Date }) => ({ created_at: iso(item.createdAt), updated_at: iso(item.updatedAt) });

export const namespaceHref = (name: string): string => `/v2/metadefs/namespaces/${name}`;

/** The namespace; with contents (show, create), the non-empty parts of them inline. */
export function namespaceView(namespace: MetadefNamespace, contents?: Partial<NamespaceContents>): Doc {
  const doc: Doc = { namespace: namespace.namespace };
  if (namespace.displayName !== null) doc.display_name = namespace.displayName;
  if (namespace.description !== null) doc.description = namespace.description;
  Object.assign(doc, {
    visibility: namespace.visibility,
    protected: namespace.protected,
    owner: namespace.owner,
    imago_validation: namespace.validation,
    ...stamps(namespace),
    self: namespaceHref(namespace.namespace),
    schema: '/v2/schemas/metadefs/namespace',
  });
  if (contents?.resourceTypeAssociations?.length) doc.resource_type_associations = contents.resourceTypeAssociations.map(associationView);
  if (contents?.properties?.length) doc.properties = propertiesView(contents.properties);
  if (contents?.objects?.length) doc.objects = contents.objects.map((o) => objectView(namespace.namespace, o));
  if (contents?.tags?.length) doc.tags = contents.tags.map((t) => ({ name: t.name }));
  return doc;
}

export function objectView(namespace: string, object: MetadefObject): Doc {
  const doc: Doc = { name: object.name };
  if (object.description !== null) doc.description = object.description;
  if (object.required.length > 0) doc.required = object.required;
  Object.assign(doc, {
    properties: object.properties,
    ...stamps(object),
    self: `${namespaceHref(namespace)}/objects/${object.name}`,
    schema: '/v2/schemas/metadefs/object',
  });
  return doc;
}

export function propertyView(property: MetadefProperty): Doc {
  return { name: property.name, ...property.definition };
}

/** A namespace's properties keyed by name, as lists and namespace documents carry them. */
export function propertiesView(properties: readonly MetadefProperty[]): Record<string, PropertyDefinition> {
  return Object.fromEntries(properties.map((p) => [p.name, p.definition]));
}

export function tagView(tag: MetadefTag): Doc {
  return { name: tag.name, ...stamps(tag) };
}

export function associationView(association: ResourceTypeAssociation): Doc {
  const doc: Doc = { name: association.name };
  if (association.prefix !== null) doc.prefix = association.prefix;
  if (association.propertiesTarget !== null) doc.properties_target = association.propertiesTarget;
  return Object.assign(doc, stamps(association));
}

export function resourceTypeView(resourceType: ResourceType): Doc {
  return { name: resourceType.name, ...stamps(resourceType) };
}
