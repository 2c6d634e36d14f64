/**
 * Argument parsing on top of node:util parseArgs: every mistake becomes a UsageError (exit 2)
 * and typed accessors turn option values into numbers, key/value pairs and lists.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';

export type OptionSpecs = NonNullable<ParseArgsConfig['options']>;
export type OptionValues = Record<string, string | boolean | string[] | boolean[] | undefined>;

export interface ParsedArgs {
  values: OptionValues;
  positionals: string[];
}

/** A mistake in how the command was called; main prints it with the command's usage line. */
export class UsageError extends Error {
  constructor(message: string, readonly usage?: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export function parseCommandArgs(argv: string[], options: OptionSpecs): ParsedArgs {
  try {
    const { values, positionals } = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
    return { values: values as OptionValues, positionals };
  } catch (err) {
    // parseArgs explains how to pass a dash-prefixed positional at length; the first sentence is enough.
    const message = err instanceof Error ? err.message.split(/\.\s/)[0]!.replace(/\.$/, '') : String(err);
    throw new UsageError(message);
  }
}

export function stringOption(values: OptionValues, name: string): string | undefined {
  const value = values[name];
  return typeof value === 'string' ? value : undefined;
}

export function listOption(values: OptionValues, name: string): string[] {
  const value = values[name];
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : typeof value === 'string' ? [value] : [];
}

export function flagOption(values: OptionValues, name: string): boolean {
  return values[name] === true;
}

export function integerOption(values: OptionValues, name: string, min = 0): number | undefined {
  const raw = stringOption(values, name);
  if (raw === undefined) return undefined;
  const n = /^\d+$/.test(raw.trim()) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(n) || n < min) throw new UsageError(`--${name} takes a whole number${min > 0 ? ` of at least ${min}` : ''}, not '${raw}'`);
  return n;
}

/** `--property os_distro=debian` pairs; the value may itself contain `=`. */
export function keyValueOption(values: OptionValues, name: string): Record<string, string> {
  const pairs: Record<string, string> = {};
  for (const item of listOption(values, name)) {
    const at = item.indexOf('=');
    if (at <= 0) throw new UsageError(`--${name} takes KEY=VALUE, not '${item}'`);
    pairs[item.slice(0, at)] = item.slice(at + 1);
  }
  return pairs;
}

export function expectPositionals(positionals: string[], min: number, max: number, what: string): void {
  if (positionals.length < min) throw new UsageError(`missing ${what}`);
  if (positionals.length > max) throw new UsageError(`unexpected argument '${positionals[max]}'`);
}
