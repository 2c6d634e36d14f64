/**
 * Evaluates a parsed rule against the caller's credentials and the target's attributes, with
 * oslo.policy's semantics: `%(attr)s` is replaced by the target's attribute as Python prints
 * it (True, False, None), and a check whose attribute the target lacks is false rather than
 * an error. Rule references are resolved through `lookup`; the rule set guarantees they exist
 * and do not loop (see rule-set.ts).
 */
import type { RuleNode } from './rule-syntax.js';

export type PolicyValue = string | number | boolean | null;

/** What the caller is: oslo.policy's credential dictionary (project_id, user_id, is_admin …). */
export interface Credentials {
  roles: readonly string[];
  values: Readonly<Record<string, PolicyValue | readonly string[] | undefined>>;
}

/** What is acted upon: the attributes `%(name)s` reads (project_id, owner, visibility …). */
export type PolicyTargetValues = Readonly<Record<string, PolicyValue | undefined>>;

export interface EvaluationContext {
  credentials: Credentials;
  target: PolicyTargetValues;
  lookup(name: string): RuleNode | undefined;
}

export function evaluateRule(node: RuleNode, context: EvaluationContext): boolean {
  switch (node.kind) {
    case 'always': return true;
    case 'never': return false;
    case 'and': return node.operands.every((operand) => evaluateRule(operand, context));
    case 'or': return node.operands.some((operand) => evaluateRule(operand, context));
    case 'not': return !evaluateRule(node.operand, context);
    case 'rule': {
      const referenced = context.lookup(node.name);
      return referenced !== undefined && evaluateRule(referenced, context);
    }
    case 'role': {
      const role = substitute(node.match, context.target);
      return role !== undefined && context.credentials.roles.some((r) => r.toLowerCase() === role.toLowerCase());
    }
    case 'literal': {
      const match = substitute(node.match, context.target);
      return match !== undefined && match === node.value;
    }
    case 'credential': {
      const match = substitute(node.match, context.target);
      const value = context.credentials.values[node.key];
      // A credential the caller lacks (no user for a project token) matches nothing, not "None".
      if (match === undefined || value === undefined || value === null) return false;
      if (Array.isArray(value)) return value.includes(match);
      return pythonString(value as PolicyValue) === match;
    }
  }
}

/** MATCH with every `%(name)s` filled from the target; undefined when an attribute is missing. */
export function substitute(match: string, target: PolicyTargetValues): string | undefined {
  let missing = false;
  const result = match.replace(/%\(([^()%]+)\)s|%%/g, (_whole, name: string | undefined) => {
    if (name === undefined) return '%';
    const value = Object.hasOwn(target, name) ? target[name] : undefined;
    if (value === undefined) {
      missing = true;
      return '';
    }
    return pythonString(value);
  });
  return missing ? undefined : result;
}

/** Policy files are written for Python's `%` formatting, which prints True/False/None. */
function pythonString(value: PolicyValue): string {
  if (value === null) return 'None';
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  return String(value);
}
