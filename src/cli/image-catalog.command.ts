/** `imago image latest|lineage|stale|deprecate`: the catalog's view of one image. */
import type { DeprecationRequest, DeprecationState } from '../client/catalog-types.js';
import { expectPositionals, stringOption, UsageError } from './args.js';
import { writeLine } from './cli-io.js';
import type { Command, CommandContext } from './command.js';
import { resolveImage } from './image-ref.js';
import { printImage, printJson } from './image-print.js';
import { deprecationWarning, renderLineage, renderStaleness } from './output/catalog-output.js';
import type { ImageRecord } from '../client/image-types.js';

const STATES: readonly DeprecationState[] = ['active', 'deprecated', 'obsolete', 'deleted'];
/** The schedule field each state's --at time goes to. */
const AT_FIELD = { deprecated: 'deprecated', obsolete: 'obsolete', deleted: 'deleted' } as const;

/** Warns on stderr (so scripts reading stdout are unaffected) when the image is deprecated or obsolete. */
export function warnIfDeprecated(context: CommandContext, image: ImageRecord): void {
  const warning = deprecationWarning(image);
  if (warning) writeLine(context.io.stderr, warning);
}

/** An ISO 8601 time with a zone, as the server wants it; other forms are refused here with the reason. */
function timeOption(value: string | undefined, option: string): string | undefined {
  if (value === undefined) return undefined;
  const date = new Date(value);
  if (!/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(value) || !/(Z|[+-]\d{2}:?\d{2})$/.test(value) || Number.isNaN(date.getTime())) {
    throw new UsageError(`--${option} takes an ISO 8601 time with a zone, e.g. 2030-01-31T00:00:00Z, not '${value}'`);
  }
  return value;
}

export const imageLatestCommand: Command = {
  name: 'latest',
  usage: 'image latest FAMILY',
  summary: 'Show the newest active, non-deprecated, non-hidden image of a family.',
  options: {},
  async run(context, { positionals }) {
    expectPositionals(positionals, 1, 1, 'the family name');
    printImage(context, await context.client().catalog().latest(positionals[0]!));
  },
};

export const imageLineageCommand: Command = {
  name: 'lineage',
  usage: 'image lineage IMAGE',
  summary: 'Draw the image\'s lineage: its bases up to the root and the images built on it.',
  options: {},
  async run(context, { positionals }) {
    expectPositionals(positionals, 1, 1, 'the image id or name');
    const client = context.client();
    const image = await resolveImage(client, positionals[0]!);
    const [ancestry, descendants] = await Promise.all([client.catalog().ancestry(image.id), client.catalog().descendants(image.id)]);
    if (context.json) printJson(context, { ...ancestry, descendants: descendants.descendants });
    else writeLine(context.io.stdout, renderLineage(ancestry, descendants));
  },
};

export const imageStaleCommand: Command = {
  name: 'stale',
  usage: 'image stale IMAGE',
  summary: 'Tell whether a newer version of the image\'s base has appeared in the base\'s family (exit 3 when stale).',
  options: {},
  async run(context, { positionals }) {
    expectPositionals(positionals, 1, 1, 'the image id or name');
    const client = context.client();
    const image = await resolveImage(client, positionals[0]!);
    const doc = await client.catalog().staleness(image.id);
    if (context.json) printJson(context, doc);
    else writeLine(context.io.stdout, renderStaleness(doc));
    // A distinct exit code lets scripts rebuild what is stale without parsing output.
    return doc.stale ? 3 : 0;
  },
};

export const imageDeprecateCommand: Command = {
  name: 'deprecate',
  usage: 'image deprecate IMAGE [--replacement IMAGE] [--state STATE] [--at TIME] [--obsolete-at TIME] [--delete-at TIME]',
  summary: 'Deprecate an image (it keeps working, with a warning), make it obsolete or deleted, now or at a set time.',
  help: `options:
  --replacement IMAGE  the image users should move to (must be active and not deprecated)
  --state STATE        deprecated (default), obsolete, deleted, or active to undo
  --at TIME            apply STATE at this future time instead of now (ISO 8601, e.g. 2030-01-31T00:00:00Z)
  --obsolete-at TIME   also make it obsolete at this later time
  --delete-at TIME     also delete it at this later time

Obsolete images refuse new use: only their owner and admins may still download them.`,
  options: {
    replacement: { type: 'string' },
    state: { type: 'string' },
    at: { type: 'string' },
    'obsolete-at': { type: 'string' },
    'delete-at': { type: 'string' },
  },
  async run(context, { values, positionals }) {
    expectPositionals(positionals, 1, 1, 'the image id or name');
    const state = (stringOption(values, 'state') ?? 'deprecated') as DeprecationState;
    if (!STATES.includes(state)) throw new UsageError(`--state takes one of ${STATES.join(', ')}, not '${state}'`);
    const at = timeOption(stringOption(values, 'at'), 'at');
    const client = context.client();
    const image = await resolveImage(client, positionals[0]!);
    const request: DeprecationRequest = { state: at === undefined ? state : 'active' };
    if (at !== undefined) {
      if (state === 'active') throw new UsageError('--at schedules a deprecation: use it with --state deprecated, obsolete or deleted');
      request[AT_FIELD[state]] = at;
    }
    const obsoleteAt = timeOption(stringOption(values, 'obsolete-at'), 'obsolete-at');
    if (obsoleteAt !== undefined) request.obsolete = obsoleteAt;
    const deleteAt = timeOption(stringOption(values, 'delete-at'), 'delete-at');
    if (deleteAt !== undefined) request.deleted = deleteAt;
    const replacement = stringOption(values, 'replacement');
    if (replacement !== undefined) request.replacement = (await resolveImage(client, replacement)).id;
    const updated = await client.catalog().deprecate(image.id, request);
    if (updated === undefined) {
      if (context.json) printJson(context, { id: image.id, deleted: true });
      else writeLine(context.io.stdout, `deleted image ${image.id}`);
      return;
    }
    printImage(context, updated);
  },
};
