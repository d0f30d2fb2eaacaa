import type { RuleNode, Template } from './parse.js';

export type Target = Record<string, unknown>;

export interface EvalScope {
  rules: ReadonlyMap<string, RuleNode>;
  target: Target;
  /** Credentials with implied roles and `is_admin` already filled in. */
  creds: Record<string, unknown>;
  /** Rules being evaluated on the way here: meeting one again is a cycle, which fails. */
  active: Set<string>;
}

/** How Python's `str()` prints a value, which is what oslo compares. */
export function pyStr(value: unknown): string {
  if (value === null) return 'None';
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  return JSON.stringify(value) ?? String(value);
}

/** Fill `%(key)s` holes; undefined when the target lacks a key, which makes the check fail (oslo's KeyError). */
export function fill(template: Template, target: Target): string | undefined {
  let out = '';
  for (const part of template) {
    if (typeof part === 'string') {
      out += part;
      continue;
    }
    const value = Object.hasOwn(target, part.key) ? target[part.key] : undefined;
    if (value === undefined) return undefined;
    out += pyStr(value);
  }
  return out;
}

/** oslo's GenericCheck walk: dotted path into the credentials; a list matches if any element does. */
function found(value: unknown, path: readonly string[], match: string): boolean {
  if (Array.isArray(value)) return value.some((v) => found(v, path, match));
  if (path.length === 0) return value !== undefined && match === pyStr(value);
  if (typeof value !== 'object' || value === null) return false;
  const [key, ...rest] = path;
  return Object.hasOwn(value, key!) && found((value as Record<string, unknown>)[key!], rest, match);
}

export function evaluate(node: RuleNode, scope: EvalScope): boolean {
  switch (node.type) {
    case 'always':
      return true;
    case 'never':
      return false;
    case 'and':
      return node.checks.every((c) => evaluate(c, scope));
    case 'or':
      return node.checks.some((c) => evaluate(c, scope));
    case 'not':
      return !evaluate(node.check, scope);
    case 'rule': {
      const rule = scope.rules.get(node.name);
      // Undefined (reported when loaded) and cyclic references fail closed.
      if (!rule || scope.active.has(node.name)) return false;
      scope.active.add(node.name);
      try {
        return evaluate(rule, scope);
      } finally {
        scope.active.delete(node.name);
      }
    }
    case 'role': {
      const role = fill(node.match, scope.target)?.toLowerCase();
      const roles = scope.creds['roles'];
      return role !== undefined && Array.isArray(roles) && roles.some((r) => String(r).toLowerCase() === role);
    }
    case 'generic': {
      const match = fill(node.match, scope.target);
      if (match === undefined) return false;
      return node.literal !== undefined ? node.literal === match : found(scope.creds, node.path ?? [], match);
    }
  }
}
