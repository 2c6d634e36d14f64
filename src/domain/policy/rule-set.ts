/**
 * A set of named rules, parsed and checked once: every rule parses, every `rule:NAME` names a
 * rule of the set, and no rule reaches itself through references (which would never finish
 * evaluating). oslo.policy finds the last two only while answering a request, as a silent
 * deny; here they are load-time problems, all reported together.
 */
import { parseRule, RuleSyntaxError, type RuleNode } from './rule-syntax.js';

export class PolicyRulesError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(problems.join('\n'));
    this.name = 'PolicyRulesError';
  }
}

export class RuleSet {
  private constructor(
    private readonly sources: ReadonlyMap<string, string>,
    private readonly nodes: ReadonlyMap<string, RuleNode>,
  ) {}

  /** Throws PolicyRulesError listing every problem found. */
  static compile(sources: Readonly<Record<string, string>>): RuleSet {
    const problems: string[] = [];
    const nodes = new Map<string, RuleNode>();
    for (const [name, text] of Object.entries(sources)) {
      try {
        nodes.set(name, parseRule(text));
      } catch (err) {
        if (!(err instanceof RuleSyntaxError)) throw err;
        problems.push(`${name}: syntax error in "${text}": ${err.message}`);
      }
    }
    for (const [name, node] of nodes) {
      for (const ref of references(node)) {
        if (!Object.hasOwn(sources, ref)) problems.push(`${name}: refers to rule:${ref}, which is not defined`);
      }
    }
    problems.push(...findCycles(nodes));
    if (problems.length > 0) throw new PolicyRulesError(problems);
    return new RuleSet(new Map(Object.entries(sources)), nodes);
  }

  get(name: string): RuleNode | undefined {
    return this.nodes.get(name);
  }

  has(name: string): boolean {
    return this.nodes.has(name);
  }

  /** Every rule as written, in definition order. */
  entries(): Array<[name: string, rule: string]> {
    return [...this.sources];
  }
}

/** The rule names a rule's text refers to directly; none when it does not parse (reported elsewhere). */
export function referencedNames(text: string): string[] {
  try {
    return references(parseRule(text));
  } catch (err) {
    if (err instanceof RuleSyntaxError) return [];
    throw err;
  }
}

/** The rule names a rule refers to directly. */
export function references(node: RuleNode): string[] {
  switch (node.kind) {
    case 'rule': return [node.name];
    case 'and':
    case 'or': return node.operands.flatMap(references);
    case 'not': return references(node.operand);
    default: return [];
  }
}

/** One problem per loop of references, naming the rules along it. */
function findCycles(nodes: ReadonlyMap<string, RuleNode>): string[] {
  const problems: string[] = [];
  const done = new Set<string>();
  const path: string[] = [];
  const visit = (name: string): void => {
    const loopStart = path.indexOf(name);
    if (loopStart >= 0) {
      problems.push(`${name}: rules refer to each other in a loop: ${[...path.slice(loopStart), name].join(' -> ')}`);
      return;
    }
    if (done.has(name)) return;
    const node = nodes.get(name);
    if (!node) return;
    path.push(name);
    for (const ref of references(node)) visit(ref);
    path.pop();
    done.add(name);
  };
  for (const name of nodes.keys()) visit(name);
  return problems;
}
