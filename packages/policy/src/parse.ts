import { giError } from './errors.js';

/** A check string's value side: literal text with `%(key)s` holes filled from the target. */
export type Template = readonly (string | { key: string })[];

/** A parsed check string. `generic` compares `literal` (or the credential at `path`) with `match`. */
export type RuleNode =
  | { type: 'always' }
  | { type: 'never' }
  | { type: 'and' | 'or'; checks: readonly RuleNode[] }
  | { type: 'not'; check: RuleNode }
  | { type: 'rule'; name: string }
  | { type: 'role'; match: Template }
  | { type: 'generic'; literal?: string; path?: readonly string[]; match: Template };

export interface Token {
  kind: '(' | ')' | 'and' | 'or' | 'not' | 'check';
  text: string;
  /** 1-based character where the token starts. */
  at: number;
}

/** Where a rule came from, for error messages. */
export interface RuleOrigin {
  rule: string;
  source: string;
}

export type Fail = (at: number, reason: string) => never;

/** Throws GI_POLICY_SYNTAX for `text` at a 1-based position. */
export function failer(text: string, origin: RuleOrigin): Fail {
  return (position, reason) => {
    throw giError('GI_POLICY_SYNTAX', { ...origin, text, position, reason });
  };
}

const KEYWORDS = new Set(['and', 'or', 'not']);
const isSpace = (c: string | undefined) => c !== undefined && /\s/.test(c);
const isQuote = (c: string | undefined) => c === "'" || c === '"';

/**
 * Split on white space as oslo does, with two differences that only accept more: a word that starts
 * with a quote keeps spaces up to its closing quote, and every token knows its position.
 */
export function tokenize(text: string, origin: RuleOrigin): Token[] {
  const fail = failer(text, origin);
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    if (isSpace(text[i])) {
      i++;
      continue;
    }
    if (text[i] === '(') {
      tokens.push({ kind: '(', text: '(', at: i + 1 });
      i++;
      continue;
    }
    const start = i;
    if (isQuote(text[i])) {
      const close = text.indexOf(text[i]!, i + 1);
      if (close < 0) fail(i + 1, `the quote ${text[i]} is never closed`);
      i = close + 1;
    }
    while (i < text.length && !isSpace(text[i])) i++;
    const word = text.slice(start, i);
    // Closing parentheses glued to a word end groups; `%(key)s` never ends with one.
    let end = word.length;
    while (end > 0 && word[end - 1] === ')') end--;
    const body = word.slice(0, end);
    if (body) {
      const lower = body.toLowerCase();
      tokens.push({ kind: KEYWORDS.has(lower) ? (lower as Token['kind']) : 'check', text: body, at: start + 1 });
    }
    for (let k = end; k < word.length; k++) tokens.push({ kind: ')', text: ')', at: start + k + 1 });
  }
  return tokens;
}

/** `%(key)s` holes; `%%` is a literal percent sign, as in Python's `%` formatting. */
function parseTemplate(text: string, at: number, fail: Fail): Template {
  const parts: (string | { key: string })[] = [];
  let literal = '';
  for (let i = 0; i < text.length; i++) {
    if (text[i] !== '%') {
      literal += text[i];
      continue;
    }
    if (text[i + 1] === '%') {
      literal += '%';
      i++;
      continue;
    }
    const hole = /^%\(([^()]+)\)s/.exec(text.slice(i));
    if (!hole) fail(at + i, `'%' must start a target attribute such as %(owner)s (or be written %%)`);
    if (literal) parts.push(literal);
    literal = '';
    parts.push({ key: hole[1]! });
    i += hole[0].length - 1;
  }
  if (literal || parts.length === 0) parts.push(literal);
  return parts;
}

/** What Python's `ast.literal_eval` turns into a value on the left of a generic check. */
function literalOf(kind: string): string | undefined {
  if (isQuote(kind[0]) && kind.length >= 2 && kind.endsWith(kind[0]!)) return kind.slice(1, -1);
  if (kind === 'True' || kind === 'False' || kind === 'None') return kind;
  if (/^-?(0|[1-9]\d*)$/.test(kind)) return kind;
  return undefined;
}

export function parseCheck(token: Token, fail: Fail): RuleNode {
  const { text, at } = token;
  if (text === '!') return { type: 'never' };
  if (text === '@') return { type: 'always' };
  // A quoted literal may itself hold a colon, so look for the separator after its closing quote.
  const from = isQuote(text[0]) ? text.indexOf(text[0]!, 1) + 1 : 0;
  if (from > 0 && from === text.length) fail(at, `a quoted string alone is not a check; write ${text}:%(attribute)s`);
  if (from > 0 && text[from] !== ':') fail(at + from, `expected ':' right after the quoted literal ${text.slice(0, from)}`);
  const colon = text.indexOf(':', from);
  if (colon < 0) fail(at, `expected a check such as role:${text} or rule:${text}, found '${text}'`);
  if (colon === 0) fail(at, `nothing stands before ':' in '${text}'`);
  const kind = text.slice(0, colon);
  const match = text.slice(colon + 1);
  const matchAt = at + colon + 1;
  if ((kind === 'rule' || kind === 'role') && !match) fail(matchAt, `${kind}: needs a name`);
  if (kind === 'rule') return { type: 'rule', name: match };
  if (kind === 'role') return { type: 'role', match: parseTemplate(match, matchAt, fail) };
  if (kind === 'http' || kind === 'https') fail(at, `${kind}: checks (a remote server decides) are not supported`);
  const template = parseTemplate(match, matchAt, fail);
  const literal = literalOf(kind);
  if (literal !== undefined) return { type: 'generic', literal, match: template };
  const path = kind.split('.');
  if (path.some((p) => !p)) fail(at, `'${kind}' is not a credential attribute path`);
  return { type: 'generic', path, match: template };
}

function describe(token: Token | undefined): string {
  return token ? `'${token.text}'` : 'the end of the rule';
}

/** Recursive descent with oslo's precedence: `not` binds tightest, then `and`, then `or`. */
class Parser {
  private next = 0;
  constructor(
    private readonly tokens: Token[],
    private readonly end: number,
    private readonly fail: Fail,
  ) {}

  parse(): RuleNode {
    const node = this.or();
    const extra = this.tokens[this.next];
    if (extra?.kind === ')') this.fail(extra.at, `')' closes nothing`);
    if (extra) this.fail(extra.at, `expected 'and' or 'or' before ${describe(extra)}`);
    return node;
  }

  private or(): RuleNode {
    return this.chain('or', () => this.and());
  }

  private and(): RuleNode {
    return this.chain('and', () => this.unary());
  }

  private chain(kind: 'and' | 'or', operand: () => RuleNode): RuleNode {
    const checks = [operand()];
    while (this.tokens[this.next]?.kind === kind) {
      this.next++;
      checks.push(operand());
    }
    return checks.length === 1 ? checks[0]! : { type: kind, checks };
  }

  private unary(): RuleNode {
    const token = this.tokens[this.next];
    if (token?.kind === 'not') {
      this.next++;
      return { type: 'not', check: this.unary() };
    }
    if (token?.kind === '(') {
      this.next++;
      const inner = this.or();
      if (this.tokens[this.next]?.kind !== ')') {
        this.fail(this.tokens[this.next]?.at ?? this.end, `expected ')' to close the '(' at character ${token.at}, found ${describe(this.tokens[this.next])}`);
      }
      this.next++;
      return inner;
    }
    const before = this.tokens[this.next - 1];
    if (token?.kind !== 'check') {
      this.fail(token?.at ?? this.end, `expected a check${before ? ` after ${describe(before)}` : ''}, found ${describe(token)}`);
    }
    this.next++;
    return parseCheck(token, this.fail);
  }
}

/**
 * Parse a check string. `""` allows everyone, as in oslo; a blank or malformed rule is an error
 * (oslo logs it and denies), so a typo in a policy file is found when the file is loaded.
 */
export function parseRule(text: string, origin: RuleOrigin = { rule: '(rule)', source: 'given text' }): RuleNode {
  if (text === '') return { type: 'always' };
  const fail = failer(text, origin);
  const tokens = tokenize(text, origin);
  if (tokens.length === 0) fail(1, 'the rule is blank; write "" to allow everyone or "!" to allow no one');
  return new Parser(tokens, text.length + 1, fail).parse();
}

/** The names a rule refers to with `rule:`. */
export function references(node: RuleNode): string[] {
  switch (node.type) {
    case 'rule':
      return [node.name];
    case 'and':
    case 'or':
      return node.checks.flatMap(references);
    case 'not':
      return references(node.check);
    default:
      return [];
  }
}
