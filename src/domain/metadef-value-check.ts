/**
 * Whether an image property's value satisfies a metadef property definition. Image
 * properties are strings on the wire, so the value is read the way Nova reads it: integers
 * and numbers as decimal text, booleans as the words oslo's bool_from_string knows, arrays as
 * a JSON array or a comma-separated list. Returns what is wrong in words, or undefined.
 */
import type { PropertyDefinition } from './metadef.js';

const TRUE_WORDS = ['1', 't', 'true', 'on', 'y', 'yes'];
const FALSE_WORDS = ['0', 'f', 'false', 'off', 'n', 'no'];
const INTEGER = /^[+-]?\d+$/;
const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

type ItemType = PropertyDefinition['type'];

export function checkPropertyValue(definition: PropertyDefinition, value: string): string | undefined {
  if (definition.type === 'array') return checkArray(definition, value);
  return checkScalar(definition.type, definition, value);
}

function checkScalar(type: ItemType | undefined, rules: Pick<PropertyDefinition, 'enum' | 'minimum' | 'maximum' | 'minLength' | 'maxLength' | 'pattern'>, value: string): string | undefined {
  switch (type) {
    case 'integer':
    case 'number': {
      const ok = type === 'integer' ? INTEGER.test(value.trim()) : NUMBER.test(value.trim());
      if (!ok) return `must be ${type === 'integer' ? 'an integer' : 'a number'}`;
      const n = Number(value);
      if (rules.enum && !rules.enum.some((allowed) => Number(allowed) === n)) return `must be one of ${list(rules.enum)}`;
      if (rules.minimum !== undefined && n < rules.minimum) return `must be at least ${rules.minimum}`;
      if (rules.maximum !== undefined && n > rules.maximum) return `must be at most ${rules.maximum}`;
      return undefined;
    }
    case 'boolean': {
      const word = value.trim().toLowerCase();
      if (!TRUE_WORDS.includes(word) && !FALSE_WORDS.includes(word)) return 'must be a boolean (true or false)';
      if (rules.enum && !rules.enum.some((allowed) => String(allowed).toLowerCase() === String(TRUE_WORDS.includes(word)))) return `must be one of ${list(rules.enum)}`;
      return undefined;
    }
    case 'string':
    case undefined:
    case null: {
      if (rules.enum && !rules.enum.some((allowed) => String(allowed) === value)) return `must be one of ${list(rules.enum)}`;
      const length = [...value].length;
      if (rules.minLength !== undefined && length < rules.minLength) return `must be at least ${rules.minLength} characters long`;
      if (rules.maxLength !== undefined && length > rules.maxLength) return `must be at most ${rules.maxLength} characters long`;
      // A pattern is a search, as in JSON Schema; definitions anchor it when they mean the whole value.
      if (rules.pattern !== undefined && !matches(rules.pattern, value)) return `must match the pattern ${rules.pattern}`;
      return undefined;
    }
    default:
      // An object cannot be written as an image property's string; nothing to hold it to.
      return undefined;
  }
}

function checkArray(definition: PropertyDefinition, value: string): string | undefined {
  const items = readArray(value);
  if (!items) return 'must be a JSON array or a comma-separated list';
  if (definition.minItems !== undefined && items.length < definition.minItems) return `must have at least ${definition.minItems} items`;
  if (definition.maxItems !== undefined && items.length > definition.maxItems) return `must have at most ${definition.maxItems} items`;
  if (definition.uniqueItems && new Set(items).size !== items.length) return 'must not repeat items';
  for (const item of items) {
    const problem = checkScalar(definition.items?.type ?? 'string', { enum: definition.items?.enum }, item);
    if (problem) return `item '${item}' ${problem}`;
  }
  return undefined;
}

function readArray(value: string): string[] | undefined {
  const text = value.trim();
  if (text.startsWith('[')) {
    try {
      const parsed: unknown = JSON.parse(text);
      return Array.isArray(parsed) ? parsed.map((item) => (typeof item === 'string' ? item : JSON.stringify(item))) : undefined;
    } catch {
      return undefined;
    }
  }
  return text === '' ? [] : text.split(',').map((item) => item.trim());
}

function matches(pattern: string, value: string): boolean {
  try {
    return new RegExp(pattern, 'u').test(value);
  } catch {
    // Definitions are checked when written; one loaded some other way must not block images.
    return true;
  }
}

function list(values: readonly unknown[]): string {
  return values.map((v) => String(v)).join(', ');
}
