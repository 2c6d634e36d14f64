/** How identity records print: aligned tables for people, the API's JSON with --json. */
import { writeLine } from './cli-io.js';
import { GLOBAL_HELP, type Command, type CommandContext } from './command.js';
import { printJson } from './image-print.js';
import { renderFields, renderTable } from './output/table.js';

/** A list as a table of the given columns (or JSON). */
export function printRows<T>(context: CommandContext, items: T[], columns: Array<[string, (item: T) => string]>): void {
  if (context.json) printJson(context, items);
  else writeLine(context.io.stdout, renderTable(columns.map(([header]) => ({ header })), items.map((item) => columns.map(([, cell]) => cell(item)))));
}

/** One record as field/value lines (or JSON). */
export function printRecord(context: CommandContext, record: Record<string, unknown>, fields: string[]): void {
  if (context.json) printJson(context, record);
  else writeLine(context.io.stdout, renderFields(fields.filter((f) => record[f] !== undefined).map((f) => [f, formatValue(record[f])])));
}

function formatValue(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (Array.isArray(value)) return value.map((v) => (typeof v === 'object' && v !== null && 'name' in v ? String(v.name) : String(v))).join(', ');
  return String(value);
}

/** The help page of an identity command group. */
export function groupHelp(group: string, description: string, commands: readonly Command[]): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    `usage: imago ${group} COMMAND [options]`,
    '',
    description,
    '',
    'commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    `Run 'imago ${group} COMMAND --help' for a command's options.`,
    '',
    GLOBAL_HELP,
  ].join('\n');
}
