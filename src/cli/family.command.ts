/** `imago family list|show|latest|stale|retention`: image families (lines of versions). */
import { expectPositionals, integerOption, stringOption, UsageError } from './args.js';
import { writeLine } from './cli-io.js';
import { GLOBAL_HELP, type Command } from './command.js';
import { printImage, printJson } from './image-print.js';
import { renderFamily, renderFamilyList, renderStaleness } from './output/catalog-output.js';
import type { RetentionDocument } from '../client/catalog-types.js';

export const familyListCommand: Command = {
  name: 'list',
  usage: 'family list',
  summary: 'List the image families you can see, each with its latest version.',
  options: {},
  async run(context, { positionals }) {
    expectPositionals(positionals, 0, 0, '');
    const families = await context.client().catalog().families();
    if (context.json) printJson(context, families);
    else writeLine(context.io.stdout, renderFamilyList(families));
  },
};

export const familyShowCommand: Command = {
  name: 'show',
  usage: 'family show FAMILY',
  summary: 'Show a family: its latest version, retention and every version, newest first.',
  options: {},
  async run(context, { positionals }) {
    expectPositionals(positionals, 1, 1, 'the family name');
    const family = await context.client().catalog().family(positionals[0]!);
    if (context.json) printJson(context, family);
    else writeLine(context.io.stdout, renderFamily(family));
  },
};

export const familyLatestCommand: Command = {
  name: 'latest',
  usage: 'family latest FAMILY',
  summary: 'Show the family\'s newest active, non-deprecated, non-hidden image.',
  options: {},
  async run(context, { positionals }) {
    expectPositionals(positionals, 1, 1, 'the family name');
    printImage(context, await context.client().catalog().latest(positionals[0]!));
  },
};

export const familyStaleCommand: Command = {
  name: 'stale',
  usage: 'family stale FAMILY',
  summary: 'List the images built on an older version of the family than its latest.',
  options: {},
  async run(context, { positionals }) {
    expectPositionals(positionals, 1, 1, 'the family name');
    const stale = await context.client().catalog().familyStale(positionals[0]!);
    if (context.json) printJson(context, stale);
    else writeLine(context.io.stdout, stale.length === 0 ? 'no stale images' : stale.map(renderStaleness).join('\n\n'));
  },
};

const ACTIONS: ReadonlyArray<RetentionDocument['action']> = ['deprecate', 'obsolete', 'delete'];

export const familyRetentionCommand: Command = {
  name: 'retention',
  usage: 'family retention FAMILY --keep N [--action deprecate|obsolete|delete]',
  summary: 'Keep the newest N versions of a family and retire the rest (admins and publishers); applied now and from then on.',
  help: `options:
  --keep N        versions to keep (1 or more)
  --action A      what happens to older versions: deprecate (default), obsolete or delete;
                  protected versions and versions others are built on are never touched`,
  options: { keep: { type: 'string' }, action: { type: 'string' } },
  async run(context, { values, positionals }) {
    expectPositionals(positionals, 1, 1, 'the family name');
    const keep = integerOption(values, 'keep', 1);
    if (keep === undefined) throw new UsageError('--keep N is required');
    const action = (stringOption(values, 'action') ?? 'deprecate') as RetentionDocument['action'];
    if (!ACTIONS.includes(action)) throw new UsageError(`--action takes one of ${ACTIONS.join(', ')}, not '${action}'`);
    const result = await context.client().catalog().setRetention(positionals[0]!, { keep, action });
    if (context.json) printJson(context, result);
    else writeLine(context.io.stdout, `family ${result.family}: keep ${result.keep}, ${result.action} the rest; retired now: ${result.retired.length === 0 ? 'none' : result.retired.join(', ')}`);
  },
};

export const FAMILY_COMMANDS: readonly Command[] = [familyListCommand, familyShowCommand, familyLatestCommand, familyStaleCommand, familyRetentionCommand];

export function familyGroupHelp(): string {
  const width = Math.max(...FAMILY_COMMANDS.map((c) => c.name.length));
  return [
    'usage: imago family COMMAND [options]',
    '',
    'A family groups the versions of one image line (e.g. debian-12); "latest" is its newest',
    'active, non-deprecated, non-hidden version.',
    '',
    'commands:',
    ...FAMILY_COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    "Run 'imago family COMMAND --help' for a command's options.",
    '',
    GLOBAL_HELP,
  ].join('\n');
}
