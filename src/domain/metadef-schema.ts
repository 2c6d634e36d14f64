/**
 * The JSON schemas of the metadata definitions API, served under /v2/schemas/metadefs/* and
 * used to validate request bodies (metadef-document.ts), so what clients read is what the
 * server applies. Names and shapes follow Glance's, which clients (glanceclient builds its
 * models from them) and Tempest check; the wording is Imago's.
 */
import { METADEF_VISIBILITIES, PROPERTY_TYPES, VALIDATION_MODES } from './metadef.js';

/** Column widths, as in Glance's catalog. */
export const MAX_NAME_LENGTH = 80;
export const MAX_DESCRIPTION_LENGTH = 500;

const TYPE_NAMES = [...PROPERTY_TYPES, null];
const readOnly = (description: string) => ({ type: 'string', readOnly: true, description });
const timestamps = (what: string) => ({
  created_at: { ...readOnly(`When the ${what} was created.`), format: 'date-time' },
  updated_at: { ...readOnly(`When the ${what} was last changed.`), format: 'date-time' },
});

const DEFINITIONS = {
  positiveInteger: { type: 'integer', minimum: 0 },
  positiveIntegerDefault0: { allOf: [{ $ref: '#/definitions/positiveInteger' }, { default: 0 }] },
  stringArray: { type: 'array', items: { type: 'string' }, uniqueItems: true },
  /** A map of property name to definition, as namespaces and objects carry them. */
  property: {
    type: 'object',
    additionalProperties: {
      type: 'object',
      required: ['title', 'type'],
      additionalProperties: false,
      properties: {
        name: { type: 'string', maxLength: MAX_NAME_LENGTH },
        title: { type: 'string' },
        description: { type: 'string' },
        operators: { type: 'array', items: { type: 'string' } },
        type: { type: ['string', 'null'], enum: TYPE_NAMES },
        required: { $ref: '#/definitions/stringArray' },
        minimum: { type: 'number' },
        maximum: { type: 'number' },
        maxLength: { $ref: '#/definitions/positiveInteger' },
        minLength: { $ref: '#/definitions/positiveIntegerDefault0' },
        pattern: { type: 'string', format: 'regex' },
        enum: { type: 'array' },
        readonly: { type: 'boolean' },
        default: {},
        items: {
          type: 'object',
          additionalProperties: false,
          properties: { type: { type: ['string', 'null'], enum: TYPE_NAMES }, enum: { type: 'array' } },
        },
        maxItems: { $ref: '#/definitions/positiveInteger' },
        minItems: { $ref: '#/definitions/positiveIntegerDefault0' },
        uniqueItems: { type: 'boolean', default: false },
        additionalItems: { type: 'boolean' },
      },
    },
  },
} as const;

const ASSOCIATION_PROPERTIES = {
  name: { type: 'string', maxLength: MAX_NAME_LENGTH, description: 'The resource type, e.g. OS::Glance::Image or OS::Nova::Flavor.' },
  prefix: { type: 'string', maxLength: MAX_NAME_LENGTH, description: 'Put before each property name of the namespace when it is set on a resource of this type (e.g. hw_ on images, hw: on flavors).' },
  properties_target: { type: 'string', maxLength: MAX_NAME_LENGTH, description: 'Where on the resource the properties go, for resource types with several places (Cinder volumes: image or volume metadata).' },
  ...timestamps('association'),
};

const OBJECT_PROPERTIES = {
  name: { type: 'string', maxLength: MAX_NAME_LENGTH },
  description: { type: 'string' },
  required: { $ref: '#/definitions/stringArray' },
  properties: { $ref: '#/definitions/property' },
  schema: readOnly('The schema of this document.'),
  self: readOnly('The object\'s own URL.'),
  ...timestamps('object'),
};

export const NAMESPACE_SCHEMA = {
  name: 'namespace',
  type: 'object',
  required: ['namespace'],
  additionalProperties: false,
  definitions: DEFINITIONS,
  properties: {
    namespace: { type: 'string', minLength: 1, maxLength: MAX_NAME_LENGTH, description: 'The namespace\'s unique name, e.g. OS::Compute::Libvirt.' },
    display_name: { type: 'string', maxLength: MAX_NAME_LENGTH, description: 'A name for people, shown by user interfaces.' },
    description: { type: 'string', maxLength: MAX_DESCRIPTION_LENGTH, description: 'What the namespace\'s definitions are for.' },
    visibility: { type: 'string', enum: [...METADEF_VISIBILITIES], description: 'public: every project sees it; private: only its owner (and admins).' },
    protected: { type: 'boolean', description: 'A protected namespace, and what is in it, cannot be deleted.' },
    owner: { type: 'string', maxLength: 255, description: 'The project that owns the namespace.' },
    imago_validation: {
      type: 'string',
      enum: [...VALIDATION_MODES],
      description: 'Imago: what happens when an image property this namespace defines gets a value its definition does not allow (strict: refused with 400; warn: accepted with a Warning header; off: not checked).',
    },
    ...timestamps('namespace'),
    schema: readOnly('The schema of this document.'),
    self: readOnly('The namespace\'s own URL.'),
    resource_type_associations: { type: 'array', items: { type: 'object', additionalProperties: false, properties: ASSOCIATION_PROPERTIES } },
    properties: { $ref: '#/definitions/property' },
    objects: { type: 'array', items: { type: 'object', additionalProperties: false, properties: OBJECT_PROPERTIES } },
    tags: { type: 'array', items: { type: 'object', additionalProperties: false, properties: { name: { type: 'string', maxLength: MAX_NAME_LENGTH } } } },
  },
} as const;

export const OBJECT_SCHEMA = {
  name: 'object',
  type: 'object',
  required: ['name'],
  additionalProperties: false,
  definitions: DEFINITIONS,
  properties: OBJECT_PROPERTIES,
} as const;

export const PROPERTY_SCHEMA = {
  name: 'property',
  type: 'object',
  required: ['name', 'title', 'type'],
  additionalProperties: false,
  definitions: DEFINITIONS,
  properties: { ...DEFINITIONS.property.additionalProperties.properties, name: { type: 'string', minLength: 1, maxLength: MAX_NAME_LENGTH } },
} as const;

export const TAG_SCHEMA = {
  name: 'tag',
  type: 'object',
  required: ['name'],
  additionalProperties: false,
  properties: { name: { type: 'string', minLength: 1, maxLength: MAX_NAME_LENGTH }, ...timestamps('tag') },
} as const;

/** A bulk create's body: `{"tags": [{"name": …}, …]}`. */
export const TAGS_BODY_SCHEMA = {
  name: 'tags',
  type: 'object',
  required: ['tags'],
  additionalProperties: false,
  properties: {
    tags: { type: 'array', items: { type: 'object', required: ['name'], additionalProperties: false, properties: { name: TAG_SCHEMA.properties.name } } },
  },
} as const;

export const RESOURCE_TYPE_ASSOCIATION_SCHEMA = {
  name: 'resource_type_association',
  type: 'object',
  required: ['name'],
  additionalProperties: false,
  properties: { ...ASSOCIATION_PROPERTIES, name: { ...ASSOCIATION_PROPERTIES.name, minLength: 1 } },
} as const;

/** The list documents: a collection of the item schema, with paging links. */
function collection(name: string, key: string, item: object, links: boolean): Record<string, unknown> {
  return {
    name,
    type: 'object',
    links: links ? [{ rel: 'first', href: '{first}' }, { rel: 'next', href: '{next}' }, { rel: 'describedby', href: '{schema}' }] : [],
    properties: {
      [key]: { type: 'array', items: item },
      ...(links ? { first: { type: 'string' }, next: { type: 'string' } } : {}),
      schema: { type: 'string' },
    },
  };
}

/** Every schema under /v2/schemas/metadefs/, by its path there. */
export const METADEF_SCHEMAS: Readonly<Record<string, unknown>> = {
  namespace: NAMESPACE_SCHEMA,
  namespaces: collection('namespaces', 'namespaces', NAMESPACE_SCHEMA, true),
  object: OBJECT_SCHEMA,
  objects: collection('objects', 'objects', OBJECT_SCHEMA, true),
  property: PROPERTY_SCHEMA,
  properties: {
    name: 'properties',
    type: 'object',
    definitions: DEFINITIONS,
    properties: { properties: { $ref: '#/definitions/property' }, schema: { type: 'string' } },
  },
  tag: TAG_SCHEMA,
  tags: collection('tags', 'tags', TAG_SCHEMA, true),
  resource_type: RESOURCE_TYPE_ASSOCIATION_SCHEMA,
  resource_types: collection('resource_type_associations', 'resource_type_associations', RESOURCE_TYPE_ASSOCIATION_SCHEMA, true),
};
