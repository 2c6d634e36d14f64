/**
 * An operator's policy file, as Glance reads it: a YAML (or JSON, which YAML includes)
 * mapping of action or rule name to rule string. Entries override single defaults; anything
 * not named keeps its default. Parsing only: reading the file is the caller's I/O.
 */
import { parse as parseYaml } from 'yaml';

export interface PolicyDocument {
  rules: Record<string, string>;
  problems: string[];
}

export function parsePolicyDocument(text: string): PolicyDocument {
  let parsed: unknown;
  try {
    parsed = parseYaml(text);
  } catch (err) {
    return { rules: {}, problems: [`not valid YAML or JSON: ${(err as Error).message}`] };
  }
  if (parsed === null || parsed === undefined) return { rules: {}, problems: [] };
  if (typeof parsed !== 'object' || Array.isArray(parsed)) {
    return { rules: {}, problems: ['the top level must be a mapping of rule names to rule strings'] };
  }
  const rules: Record<string, string> = {};
  const problems: string[] = [];
  for (const [name, value] of Object.entries(parsed as Record<string, unknown>)) {
    // Old policy.json files wrote an empty rule as [] (the list syntax oslo.policy dropped).
    if (Array.isArray(value) && value.length === 0) rules[name] = '';
    else if (typeof value === 'string') rules[name] = value;
    else problems.push(`${name}: the rule must be a string (quote it), not ${Array.isArray(value) ? 'a list' : typeof value}`);
  }
  return { rules, problems };
}
