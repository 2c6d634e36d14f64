/**
 * Request bodies of the metadata definitions API, validated against the served schemas
 * (metadef-schema.ts) and turned into typed inputs. Read-only fields are refused with 403 and
 * schema violations with 400, as Glance does.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { BadRequestError, ForbiddenError } from './errors.js';
import type { MetadefVisibility, PropertyDefinition, ValidationMode } from './metadef.js';
import {
  NAMESPACE_SCHEMA, OBJECT_SCHEMA, PROPERTY_SCHEMA, RESOURCE_TYPE_ASSOCIATION_SCHEMA, TAG_SCHEMA, TAGS_BODY_SCHEMA,
} from './metadef-schema.js';

// Formats (date-time, regex) are descriptive here; patterns are compiled and checked below.
const ajv = new Ajv({ strict: false, allErrors: false, validateFormats: false });
const validators = {
  namespace: ajv.compile(NAMESPACE_SCHEMA),
  object: ajv.compile(OBJECT_SCHEMA),
  property: ajv.compile(PROPERTY_SCHEMA),
  tag: ajv.compile(TAG_SCHEMA),
  tags: ajv.compile(TAGS_BODY_SCHEMA),
  resource_type_association: ajv.compile(RESOURCE_TYPE_ASSOCIATION_SCHEMA),
};
type SchemaName = keyof typeof validators;

const READ_ONLY = ['self', 'schema', 'created_at', 'updated_at'];

export interface NamespaceInput {
  namespace: string;
  displayName: string | null;
  description: string | null;
  /** Undefined when the body leaves them out: create and update fill in different defaults. */
  visibility?: MetadefVisibility;
  protected?: boolean;
  owner?: string;
  validation?: ValidationMode;
}

export interface AssociationInput {
  name: string;
  prefix: string | null;
  propertiesTarget: string | null;
}

export interface ObjectInput {
  name: string;
  description: string | null;
  required: string[];
  properties: Record<string, PropertyDefinition>;
}

export interface PropertyInput {
  name: string;
  definition: PropertyDefinition;
}

/** A namespace create may carry its contents, created with it in one go. */
export interface NamespaceCreateInput extends NamespaceInput {
  associations: AssociationInput[];
  objects: ObjectInput[];
  properties: PropertyInput[];
  tags: string[];
}

type Body = Record<string, unknown>;

function describe(error: ErrorObject): string {
  const where = error.instancePath ? `'${error.instancePath.slice(1).replace(/\//g, '.')}'` : 'the document';
  const allowed = error.keyword === 'enum' ? `: ${(error.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(', ')}` : '';
  const extra = error.keyword === 'additionalProperties' ? ` ('${(error.params as { additionalProperty: string }).additionalProperty}')` : '';
  return `${where} ${error.message ?? 'is invalid'}${allowed}${extra}`;
}

/** The body as an object that matches the named schema, read-only fields refused first. */
function validated(schema: SchemaName, body: unknown): Body {
  if (body === null || body === undefined || typeof body !== 'object' || Array.isArray(body)) {
    throw new BadRequestError(`Body expected in request: a JSON object (see /v2/schemas/metadefs/${schema === 'resource_type_association' ? 'resource_type' : schema}).`, { reason: 'metadef.body' });
  }
  for (const key of READ_ONLY) {
    if (Object.hasOwn(body, key)) throw new ForbiddenError(`Attribute '${key}' is read-only.`, { reason: 'metadef.read_only' });
  }
  const validate: ValidateFunction = validators[schema];
  if (!validate(body)) {
    const first = validate.errors?.[0];
    throw new BadRequestError(`Provided object does not match schema '${schema}': ${first ? describe(first) : 'invalid'}`, { reason: 'metadef.schema' });
  }
  return body as Body;
}

const text = (value: unknown): string | null => (typeof value === 'string' ? value : null);

/** Checks what a schema cannot: names that would break URLs and patterns that do not compile. */
function checkName(kind: string, name: string): string {
  if (name.trim() === '') throw new BadRequestError(`A ${kind} name must not be empty.`, { reason: 'metadef.name' });
  if (name.includes('/')) throw new BadRequestError(`A ${kind} name must not contain '/': it is part of URLs.`, { reason: 'metadef.name' });
  return name;
}

function readDefinitions(map: unknown, where: string): PropertyInput[] {
  return Object.entries((map as Record<string, Body> | undefined) ?? {}).map(([name, definition]) => ({
    name: checkName('property', name),
    definition: readDefinition(definition, `${where} property '${name}'`),
  }));
}

function readDefinition(body: Body, where: string): PropertyDefinition {
  const { name: _name, ...definition } = body;
  if (typeof definition.pattern === 'string') {
    try {
      new RegExp(definition.pattern, 'u');
    } catch {
      throw new BadRequestError(`The pattern of ${where} is not a valid regular expression: ${definition.pattern}`, { reason: 'metadef.pattern' });
    }
  }
  return definition as unknown as PropertyDefinition;
}

function readNamespaceFields(body: Body): NamespaceInput {
  return {
    namespace: checkName('namespace', body.namespace as string),
    displayName: text(body.display_name),
    description: text(body.description),
    visibility: body.visibility as MetadefVisibility | undefined,
    protected: body.protected as boolean | undefined,
    owner: body.owner as string | undefined,
    validation: body.imago_validation as ValidationMode | undefined,
  };
}

export function readNamespaceCreate(body: unknown): NamespaceCreateInput {
  const doc = validated('namespace', body);
  const associations = ((doc.resource_type_associations as Body[] | undefined) ?? []).map(readAssociationFields);
  const objects = ((doc.objects as Body[] | undefined) ?? []).map(readObjectFields);
  const tags = ((doc.tags as Body[] | undefined) ?? []).map((t) => checkName('tag', t.name as string));
  return { ...readNamespaceFields(doc), associations, objects, properties: readDefinitions(doc.properties, 'the namespace\'s'), tags };
}

/** A PUT replaces the namespace's own fields; its contents are changed through their own URLs. */
export function readNamespaceUpdate(body: unknown): NamespaceInput {
  return readNamespaceFields(validated('namespace', body));
}

function readObjectFields(doc: Body): ObjectInput {
  const name = checkName('object', doc.name as string);
  return {
    name,
    description: text(doc.description),
    required: (doc.required as string[] | undefined) ?? [],
    properties: Object.fromEntries(readDefinitions(doc.properties, `object '${name}'`).map((p) => [p.name, p.definition])),
  };
}

export function readObject(body: unknown): ObjectInput {
  return readObjectFields(validated('object', body));
}

export function readProperty(body: unknown): PropertyInput {
  const doc = validated('property', body);
  const name = checkName('property', doc.name as string);
  return { name, definition: readDefinition(doc, `property '${name}'`) };
}

export function readTagRename(body: unknown): string {
  return checkName('tag', validated('tag', body).name as string);
}

/** A single tag created by URL: its name is checked as a body's would be. */
export function readTagName(name: string): string {
  return checkName('tag', validated('tag', { name }).name as string);
}

export function readTags(body: unknown): string[] {
  return (validated('tags', body).tags as Body[]).map((t) => checkName('tag', t.name as string));
}

function readAssociationFields(doc: Body): AssociationInput {
  return { name: checkName('resource type', doc.name as string), prefix: text(doc.prefix), propertiesTarget: text(doc.properties_target) };
}

export function readAssociation(body: unknown): AssociationInput {
  return readAssociationFields(validated('resource_type_association', body));
}
