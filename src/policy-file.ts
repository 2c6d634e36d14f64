/**
 * Builds the Policy Imago runs with: the defaults, overridden by the operator's policy file
 * when `policy_file` is set. Every problem in the file (YAML, rule syntax, unknown names,
 * undefined references, loops) is reported at once and stops the start.
 */
import { readFile } from 'node:fs/promises';
import { Policy, PolicyRulesError } from './domain/policy.js';
import { parsePolicyDocument } from './domain/policy/policy-document.js';

export class PolicyFileError extends Error {
  constructor(readonly path: string, readonly problems: readonly string[]) {
    super(`invalid policy file ${path}:\n  - ${problems.join('\n  - ')}`);
    this.name = 'PolicyFileError';
  }
}

export async function loadPolicy(path: string | undefined): Promise<Policy> {
  if (path === undefined) return new Policy();
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new PolicyFileError(path, [`cannot be read: ${(err as Error).message}`]);
  }
  const document = parsePolicyDocument(text);
  if (document.problems.length > 0) throw new PolicyFileError(path, document.problems);
  try {
    return new Policy(document.rules);
  } catch (err) {
    if (err instanceof PolicyRulesError) throw new PolicyFileError(path, err.problems);
    throw err;
  }
}
