/**
 * The oslo.policy rule language that Glance's policy.yaml is written in, parsed into a tree:
 *
 *   rule    := or
 *   or      := and ('or' and)*
 *   and     := not ('and' not)*
 *   not     := 'not' not | '(' rule ')' | check
 *   check   := '@' | '!' | KIND ':' MATCH
 *
 * so `not` binds tightest and `or` loosest, as in oslo.policy. Keywords are case-insensitive;
 * an empty rule always passes. Tokens are separated by whitespace, with parentheses peeled
 * off their edges (so `%(project_id)s)` is a substitution followed by a closing parenthesis);
 * a quoted literal may hold spaces. Unlike oslo.policy, which logs a bad rule and denies,
 * every syntax error is reported, so a broken policy file stops Imago at start.
 */

export type RuleNode =
  | { kind: 'always' }
  | { kind: 'never' }
  | { kind: 'and'; operands: RuleNode[] }
  | { kind: 'or'; operands: RuleNode[] }
  | { kind: 'not'; operand: RuleNode }
  /** `rule:NAME`: the outcome of another rule. */
  | { kind: 'rule'; name: string }
  /** `role:NAME`: the caller holds the role (case-insensitive; NAME may use %(attr)s). */
  | { kind: 'role'; match: string }
  /** `'text':MATCH`: the literal equals MATCH after substitution. */
  | { kind: 'literal'; value: string; match: string }
  /** `KEY:MATCH`: the caller's credential KEY (project_id, user_id, is_admin …) equals MATCH. */
  | { kind: 'credential'; key: string; match: string };

export class RuleSyntaxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RuleSyntaxError';
  }
}

type Token = { type: '(' | ')' | 'and' | 'or' | 'not' } | { type: 'check'; text: string };

export function parseRule(text: string): RuleNode {
  const tokens = tokenize(text);
  if (tokens.length === 0) return { kind: 'always' };
  let at = 0;
  const peek = (): Token | undefined => tokens[at];
  const describe = (token: Token | undefined): string => (token === undefined ? 'the end of the rule' : token.type === 'check' ? `'${token.text}'` : `'${token.type}'`);

  const parseOr = (): RuleNode => {
    const operands = [parseAnd()];
    while (peek()?.type === 'or') {
      at += 1;
      operands.push(parseAnd());
    }
    return operands.length === 1 ? operands[0]! : { kind: 'or', operands };
  };
  const parseAnd = (): RuleNode => {
    const operands = [parseNot()];
    while (peek()?.type === 'and') {
      at += 1;
      operands.push(parseNot());
    }
    return operands.length === 1 ? operands[0]! : { kind: 'and', operands };
  };
  const parseNot = (): RuleNode => {
    const token = peek();
    at += 1;
    if (token?.type === 'not') return { kind: 'not', operand: parseNot() };
    if (token?.type === '(') {
      const inner = parseOr();
      if (peek()?.type !== ')') throw new RuleSyntaxError(`expected ')' but found ${describe(peek())}`);
      at += 1;
      return inner;
    }
    if (token?.type === 'check') return parseCheck(token.text);
    throw new RuleSyntaxError(`expected a check, 'not' or '(' but found ${describe(token)}`);
  };

  const node = parseOr();
  if (at < tokens.length) throw new RuleSyntaxError(`unexpected ${describe(peek())} (a missing 'and'/'or', or an extra ')'?)`);
  return node;
}

const KEYWORDS = new Set(['and', 'or', 'not']);

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  for (let word of splitWords(text)) {
    while (word.startsWith('(')) {
      tokens.push({ type: '(' });
      word = word.slice(1);
    }
    let closing = 0;
    while (word.endsWith(')') && !isQuoted(word)) {
      closing += 1;
      word = word.slice(0, -1);
    }
    if (word !== '') {
      const lower = word.toLowerCase();
      tokens.push(KEYWORDS.has(lower) ? { type: lower as 'and' | 'or' | 'not' } : { type: 'check', text: word });
    }
    for (let i = 0; i < closing; i += 1) tokens.push({ type: ')' });
  }
  return tokens;
}

/** Whitespace-separated words; quotes keep their spaces inside one word. */
function splitWords(text: string): string[] {
  const words: string[] = [];
  let current = '';
  let quote: string | null = null;
  for (const c of text) {
    if (quote !== null) {
      current += c;
      if (c === quote) quote = null;
    } else if (/\s/.test(c)) {
      if (current !== '') words.push(current);
      current = '';
    } else {
      if (c === "'" || c === '"') quote = c;
      current += c;
    }
  }
  if (quote !== null) throw new RuleSyntaxError(`unterminated quoted string in '${current}'`);
  if (current !== '') words.push(current);
  return words;
}

/** A word that ends inside a literal's closing quote, e.g. `'a)'` — its ')' is text. */
function isQuoted(word: string): boolean {
  return /^['"]/.test(word) && word.length > 1 && word.endsWith(word[0]!);
}

function parseCheck(text: string): RuleNode {
  if (text === '@') return { kind: 'always' };
  if (text === '!') return { kind: 'never' };
  const literal = /^(['"])(.*)\1:(.*)$/s.exec(text);
  if (literal) return { kind: 'literal', value: literal[2]!, match: literal[3]! };
  const colon = text.indexOf(':');
  if (colon <= 0) throw new RuleSyntaxError(`'${text}' is not a check: expected KIND:VALUE, @ or !`);
  const key = text.slice(0, colon);
  const match = text.slice(colon + 1);
  if (/^['"]/.test(key)) throw new RuleSyntaxError(`unterminated quoted string in '${text}'`);
  if (match === '') throw new RuleSyntaxError(`'${text}' has nothing after the colon`);
  checkSubstitutions(match, text);
  if (key === 'rule') return { kind: 'rule', name: match };
  if (key === 'role') return { kind: 'role', match };
  if (key === 'http' || key === 'https') throw new RuleSyntaxError(`'${text}': remote (http) checks are not supported`);
  // oslo.policy reads an unquoted Python constant on the left as a value too (`True:%(flag)s`).
  if (/^(True|False|None|-?\d+)$/.test(key)) return { kind: 'literal', value: key, match };
  return { kind: 'credential', key, match };
}

/** `%(name)s` is the only substitution form; `%%` is a literal percent sign. */
function checkSubstitutions(match: string, text: string): void {
  const rest = match.replace(/%\([^()%]+\)s|%%/g, '');
  if (rest.includes('%')) throw new RuleSyntaxError(`'${text}': a '%' must start a %(name)s substitution`);
}
