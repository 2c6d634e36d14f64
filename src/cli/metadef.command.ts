/**
 * `imago metadef namespace list|show|create|delete`, `imago metadef property list|show
 * NAMESPACE [PROPERTY]` and `imago metadef resource-type list`: the metadata definitions
 * catalog, as tables for people and the API's JSON with --json.
 */
import type { NamespaceCreateFields, NamespaceRecord, PropertyDefinitionRecord } from '../client/metadef-types.js';
import { expectPositionals, flagOption, listOption, stringOption, UsageError, type OptionValues } from './args.js';
import { writeLine } from './cli-io.js';
import type { Command, CommandContext } from './command.js';
import { groupHelp } from './identity-print.js';
import { printJson } from './image-print.js';
import { renderFields, renderTable } from './output/table.js';

/** The first positional picks the action; the rest are its arguments. */
function action(positionals: string[], group: string, allowed: readonly string[]): [string, string[]] {
  const [word, ...rest] = positionals;
  if (word === undefined) throw new UsageError(`missing ${group} command (${allowed.join(', ')})`);
  if (!allowed.includes(word)) throw new UsageError(`unknown ${group} command '${word}' (${allowed.join(', ')})`);
  return [word, rest];
}

/** A definition's constraints in a few words: `one of a, b`, `1..8`, `pattern ^x$`. */
function constraints(definition: PropertyDefinitionRecord): string {
  const parts: string[] = [];
  if (definition.enum) parts.push(`one of ${definition.enum.map(String).join(', ')}`);
  if (definition.items?.enum) parts.push(`items one of ${definition.items.enum.map(String).join(', ')}`);
  if (definition.minimum !== undefined || definition.maximum !== undefined) parts.push(`${definition.minimum ?? ''}..${definition.maximum ?? ''}`);
  if (definition.maxLength !== undefined) parts.push(`at most ${definition.maxLength} characters`);
  if (definition.pattern !== undefined) parts.push(`pattern ${definition.pattern}`);
  return parts.join('; ');
}

function associations(namespace: NamespaceRecord): string {
  return (namespace.resource_type_associations ?? []).map((a) => (a.prefix ? `${a.name} (${a.prefix})` : a.name)).join(', ');
}

function printNamespace(context: CommandContext, namespace: NamespaceRecord): void {
  if (context.json) return printJson(context, namespace);
  writeLine(context.io.stdout, renderFields([
    ['namespace', namespace.namespace],
    ['display_name', namespace.display_name ?? ''],
    ['description', namespace.description ?? ''],
    ['visibility', namespace.visibility],
    ['protected', String(namespace.protected)],
    ['owner', namespace.owner],
    ['validation', namespace.imago_validation],
    ['resource_types', associations(namespace)],
    ['properties', Object.keys(namespace.properties ?? {}).join(', ')],
    ['objects', (namespace.objects ?? []).map((o) => o.name).join(', ')],
    ['tags', (namespace.tags ?? []).map((t) => t.name).join(', ')],
    ['created_at', namespace.created_at],
    ['updated_at', namespace.updated_at],
  ]));
}

/** `--resource-type OS::Glance::Image:hw_` associates with a prefix; the prefix is what follows the last `::`-free colon. */
function readAssociation(text: string): { name: string; prefix?: string } {
  const match = /^(.*[^:]):([^:]+)$/.exec(text);
  return match ? { name: match[1]!, prefix: match[2]! } : { name: text };
}

function createFields(name: string, values: OptionValues): NamespaceCreateFields {
  const fields: NamespaceCreateFields = { namespace: name };
  const displayName = stringOption(values, 'display-name');
  const description = stringOption(values, 'description');
  const validation = stringOption(values, 'validation');
  if (displayName !== undefined) fields.display_name = displayName;
  if (description !== undefined) fields.description = description;
  if (flagOption(values, 'public') && flagOption(values, 'private')) throw new UsageError('--public and --private exclude each other');
  if (flagOption(values, 'public')) fields.visibility = 'public';
  if (flagOption(values, 'private')) fields.visibility = 'private';
  if (flagOption(values, 'protected')) fields.protected = true;
  if (validation !== undefined) {
    if (validation !== 'strict' && validation !== 'warn' && validation !== 'off') throw new UsageError(`--validation takes strict, warn or off, not '${validation}'`);
    fields.imago_validation = validation;
  }
  const types = listOption(values, 'resource-type').map(readAssociation);
  if (types.length > 0) fields.resource_type_associations = types;
  return fields;
}

export const metadefNamespaceCommand: Command = {
  name: 'namespace',
  usage: 'metadef namespace list|show|create|delete [NAMESPACE] [options]',
  summary: 'List, show, create (admin) or delete (admin) metadata definition namespaces.',
  help: `commands:
  list [--resource-type TYPE] [--visibility public|private]
  show NAMESPACE
  create NAMESPACE [--display-name N] [--description D] [--public|--private] [--protected]
                   [--validation strict|warn|off] [--resource-type TYPE[:PREFIX]]...
  delete NAMESPACE...

--validation: what happens when an image property this namespace defines gets a value it
does not allow: strict refuses the change, warn accepts it with a warning, off does not check.`,
  options: {
    'resource-type': { type: 'string', multiple: true },
    visibility: { type: 'string' },
    'display-name': { type: 'string' },
    description: { type: 'string' },
    public: { type: 'boolean' },
    private: { type: 'boolean' },
    protected: { type: 'boolean' },
    validation: { type: 'string' },
  },
  async run(context, { positionals, values }) {
    const [verb, args] = action(positionals, 'namespace', ['list', 'show', 'create', 'delete']);
    const metadefs = context.client().metadefs();
    if (verb === 'list') {
      expectPositionals(args, 0, 0, '');
      const visibility = stringOption(values, 'visibility');
      if (visibility !== undefined && visibility !== 'public' && visibility !== 'private') throw new UsageError(`--visibility takes public or private, not '${visibility}'`);
      const namespaces = await metadefs.allNamespaces({ resource_types: listOption(values, 'resource-type'), ...(visibility ? { visibility } : {}) });
      if (context.json) return printJson(context, namespaces);
      writeLine(context.io.stdout, renderTable(
        [{ header: 'NAMESPACE' }, { header: 'VISIBILITY' }, { header: 'PROTECTED' }, { header: 'VALIDATION' }, { header: 'RESOURCE TYPES' }],
        namespaces.map((n) => [n.namespace, n.visibility, n.protected ? 'yes' : 'no', n.imago_validation, associations(n)]),
      ));
      return;
    }
    if (verb === 'show') {
      expectPositionals(args, 1, 1, 'the namespace');
      return printNamespace(context, await metadefs.getNamespace(args[0]!));
    }
    if (verb === 'create') {
      expectPositionals(args, 1, 1, 'the namespace to create');
      return printNamespace(context, await metadefs.createNamespace(createFields(args[0]!, values)));
    }
    expectPositionals(args, 1, Infinity, 'the namespace to delete');
    for (const name of args) {
      await metadefs.deleteNamespace(name);
      if (!context.json) writeLine(context.io.stdout, `Deleted namespace ${name}.`);
    }
  },
};

export const metadefPropertyCommand: Command = {
  name: 'property',
  usage: 'metadef property list|show NAMESPACE [PROPERTY]',
  summary: 'List the property definitions of a namespace, or show one.',
  options: {},
  async run(context, { positionals }) {
    const [verb, args] = action(positionals, 'property', ['list', 'show']);
    const metadefs = context.client().metadefs();
    if (verb === 'list') {
      expectPositionals(args, 1, 1, 'the namespace');
      const properties = await metadefs.listProperties(args[0]!);
      if (context.json) return printJson(context, properties);
      writeLine(context.io.stdout, renderTable(
        [{ header: 'NAME' }, { header: 'TYPE' }, { header: 'TITLE' }, { header: 'ALLOWED' }],
        Object.entries(properties).map(([name, d]) => [name, d.type ?? '', d.title, constraints(d)]),
      ));
      return;
    }
    expectPositionals(args, 2, 2, 'the namespace and the property');
    const property = await metadefs.getProperty(args[0]!, args[1]!);
    if (context.json) return printJson(context, property);
    const { name, title, type, description, ...rest } = property;
    writeLine(context.io.stdout, renderFields([
      ['name', name], ['title', title], ['type', type ?? ''], ['description', description ?? ''], ['allowed', constraints(property)],
      ...Object.entries(rest).filter(([key]) => !['enum', 'minimum', 'maximum', 'maxLength', 'pattern', 'items'].includes(key))
        .map(([key, value]): [string, string] => [key, typeof value === 'string' ? value : JSON.stringify(value)]),
    ]));
  },
};

export const metadefResourceTypeCommand: Command = {
  name: 'resource-type',
  usage: 'metadef resource-type list',
  summary: 'List the resource types namespaces are associated with (OS::Glance::Image, OS::Nova::Flavor, ...).',
  options: {},
  async run(context, { positionals }) {
    const [, args] = action(positionals, 'resource-type', ['list']);
    expectPositionals(args, 0, 0, '');
    const types = await context.client().metadefs().listResourceTypes();
    if (context.json) return printJson(context, types);
    writeLine(context.io.stdout, renderTable([{ header: 'NAME' }, { header: 'CREATED' }], types.map((t) => [t.name, t.created_at])));
  },
};

export const METADEF_COMMANDS: readonly Command[] = [metadefNamespaceCommand, metadefPropertyCommand, metadefResourceTypeCommand];

export const metadefGroupHelp = (): string => groupHelp(
  'metadef',
  'Metadata definitions: the image and flavor properties the catalog knows, their types and allowed values.',
  METADEF_COMMANDS,
);
