/** `imago quota show`, `set` and `unset`: usage for everyone, limits and overrides for admins. */
import type { ProjectQuotasDocument, QuotaName, UsageDocument } from '../client/quota-types.js';
import { expectPositionals, stringOption, UsageError, type OptionValues } from './args.js';
import { writeLine } from './cli-io.js';
import { GLOBAL_HELP, type Command, type CommandContext } from './command.js';
import { resolveProject } from './project-ref.js';
import { renderTable, type Column } from './output/table.js';

/** Every quota, its option on `quota set`, and its unit (as Glance counts it). */
const QUOTAS: ReadonlyArray<{ name: QuotaName; option: string; unit: 'MiB' | 'images' }> = [
  { name: 'image_count_total', option: 'image-count-total', unit: 'images' },
  { name: 'image_size_total', option: 'image-size-total', unit: 'MiB' },
  { name: 'image_stage_total', option: 'image-stage-total', unit: 'MiB' },
  { name: 'image_count_uploading', option: 'image-count-uploading', unit: 'images' },
];

const limitText = (limit: number): string => (limit === -1 ? 'unlimited' : String(limit));

function print(context: CommandContext, document: UsageDocument | ProjectQuotasDocument): void {
  if (context.json) {
    writeLine(context.io.stdout, JSON.stringify(document, null, 2));
    return;
  }
  if ('usage' in document) {
    const columns: Column[] = [{ header: 'QUOTA' }, { header: 'LIMIT', align: 'right' }, { header: 'USAGE', align: 'right' }, { header: 'UNIT' }];
    const rows = QUOTAS.map(({ name, unit }) => {
      const entry = document.usage[name];
      return [name, entry ? limitText(entry.limit) : '', entry ? String(entry.usage) : '', unit];
    });
    writeLine(context.io.stdout, renderTable(columns, rows));
    return;
  }
  writeLine(context.io.stdout, `project ${document.project_id}`);
  const columns: Column[] = [
    { header: 'QUOTA' }, { header: 'LIMIT', align: 'right' }, { header: 'USAGE', align: 'right' }, { header: 'UNIT' },
    { header: 'DEFAULT', align: 'right' }, { header: 'OVERRIDE', align: 'right' },
  ];
  const rows = QUOTAS.map(({ name, unit }) => {
    const entry = document.quotas[name];
    return [name, limitText(entry.limit), String(entry.usage), unit, limitText(entry.default), entry.override === null ? '-' : limitText(entry.override)];
  });
  writeLine(context.io.stdout, renderTable(columns, rows));
}

/** `--image-size-total 1024`, `-1` (given as `--image-size-total=-1`) or `unlimited`. */
function limitOption(values: OptionValues, option: string): number | undefined {
  const raw = stringOption(values, option)?.trim();
  if (raw === undefined) return undefined;
  if (raw === 'unlimited' || raw === '-1') return -1;
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(Number(raw))) throw new UsageError(`--${option} takes a whole number, or unlimited, not '${raw}'`);
  return Number(raw);
}

export const quotaShowCommand: Command = {
  name: 'show',
  usage: 'quota show [PROJECT]',
  summary: 'Show your project\'s quotas and usage; with PROJECT, any project\'s limits, defaults and overrides (admin).',
  options: {},
  async run(context, { positionals }) {
    expectPositionals(positionals, 0, 1, '');
    const client = context.client();
    const project = positionals[0];
    print(context, project === undefined ? await client.getUsage() : await client.getQuotas(await resolveProject(context, project)));
  },
};

export const quotaSetCommand: Command = {
  name: 'set',
  usage: 'quota set PROJECT [--image-count-total N] [--image-size-total MIB] [--image-stage-total MIB] [--image-count-uploading N]',
  summary: 'Give a project its own limits (admin); the quotas not named keep theirs.',
  help: `options (each a whole number, or unlimited):
  --image-count-total N       images the project may have
  --image-size-total MIB      MiB its images may hold in all
  --image-stage-total MIB     MiB it may hold in the import staging area
  --image-count-uploading N   uploads it may run at once`,
  options: Object.fromEntries(QUOTAS.map(({ option }) => [option, { type: 'string' as const }])),
  async run(context, { values, positionals }) {
    expectPositionals(positionals, 1, 1, 'the project id');
    const limits: Partial<Record<QuotaName, number>> = {};
    for (const { name, option } of QUOTAS) {
      const limit = limitOption(values, option);
      if (limit !== undefined) limits[name] = limit;
    }
    if (Object.keys(limits).length === 0) throw new UsageError(`give at least one limit (${QUOTAS.map((q) => `--${q.option}`).join(', ')})`);
    print(context, await context.client().setQuotas(await resolveProject(context, positionals[0]!), limits));
  },
};

export const quotaUnsetCommand: Command = {
  name: 'unset',
  usage: 'quota unset PROJECT NAME...',
  summary: `Put a project's limits back to the defaults (admin). NAME is one of ${QUOTAS.map((q) => q.name).join(', ')}.`,
  options: {},
  async run(context, { positionals }) {
    expectPositionals(positionals, 2, 1 + QUOTAS.length, 'the project id and a quota name');
    const [project, ...names] = positionals as [string, ...string[]];
    const unknown = names.find((name) => !QUOTAS.some((q) => q.name === name));
    if (unknown !== undefined) throw new UsageError(`unknown quota '${unknown}' (known: ${QUOTAS.map((q) => q.name).join(', ')})`);
    const client = context.client();
    const id = await resolveProject(context, project);
    for (const name of names) await client.unsetQuota(id, name as QuotaName);
  },
};

export const QUOTA_COMMANDS: readonly Command[] = [quotaShowCommand, quotaSetCommand, quotaUnsetCommand];

export function quotaGroupHelp(): string {
  const width = Math.max(...QUOTA_COMMANDS.map((c) => c.name.length));
  return [
    'usage: imago quota COMMAND [options]',
    '',
    'Sizes are in MiB and counts in images, as in OpenStack; -1 or unlimited means no limit.',
    '',
    'commands:',
    ...QUOTA_COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    "Run 'imago quota COMMAND --help' for a command's options.",
    '',
    GLOBAL_HELP,
  ].join('\n');
}
