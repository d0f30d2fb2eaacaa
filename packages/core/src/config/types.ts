/**
 * Option types in the manner of oslo.config: each parses either an INI string (as written in
 * glance-api.conf) or a JSON/YAML value (from cosmiconfig), and throws a readable reason otherwise.
 * The same types describe core options and every plugin's options.
 */

export class OptionValueError extends Error {}

export interface OptType<T> {
  readonly kind: string;
  /** What the type accepts, for error messages and `config check`. */
  readonly description: string;
  parse(raw: unknown): T;
}

const fail = (reason: string): never => {
  throw new OptionValueError(reason);
};
const show = (v: unknown) => (typeof v === 'string' ? `'${v}'` : JSON.stringify(v));

/** oslo's parser strips one pair of matching quotes around a whole value. */
export function unquote(s: string): string {
  const t = s.trim();
  return t.length >= 2 && (t[0] === '"' || t[0] === "'") && t.at(-1) === t[0] ? t.slice(1, -1) : t;
}

export function string(o: { choices?: readonly string[]; maxLength?: number } = {}): OptType<string> {
  return {
    kind: 'string',
    description: o.choices ? `one of ${o.choices.map((c) => `'${c}'`).join(', ')}` : 'a string',
    parse(raw) {
      if (typeof raw !== 'string' && typeof raw !== 'number') fail(`expected a string, got ${show(raw)}`);
      const v = typeof raw === 'string' ? unquote(raw) : String(raw);
      if (o.choices && !o.choices.includes(v)) fail(`${show(v)} is not one of ${o.choices.map((c) => `'${c}'`).join(', ')}`);
      if (o.maxLength !== undefined && v.length > o.maxLength) fail(`longer than ${o.maxLength} characters`);
      return v;
    },
  };
}

/**
 * A credential (a key, a password): parsed like a string, but a bad value is never repeated in the
 * error, and `config check` does not print it.
 */
export function secret(): OptType<string> {
  return {
    kind: 'secret',
    description: 'a string (a secret: never shown)',
    parse(raw) {
      if (typeof raw !== 'string' && typeof raw !== 'number') fail('expected a string (the value is not shown)');
      return typeof raw === 'string' ? unquote(raw) : String(raw);
    },
  };
}

export function integer(o: { min?: number; max?: number } = {}): OptType<number> {
  const range =
    o.min !== undefined && o.max !== undefined
      ? ` from ${o.min} to ${o.max}`
      : o.min !== undefined
        ? ` >= ${o.min}`
        : o.max !== undefined
          ? ` <= ${o.max}`
          : '';
  return {
    kind: 'integer',
    description: `an integer${range}`,
    parse(raw) {
      const s = typeof raw === 'number' ? String(raw) : typeof raw === 'string' ? unquote(raw) : fail(`expected an integer, got ${show(raw)}`);
      if (!/^[-+]?\d+$/.test(s)) fail(`${show(s)} is not an integer`);
      const n = Number(s);
      if (!Number.isSafeInteger(n)) fail(`${s} is too large`);
      if ((o.min !== undefined && n < o.min) || (o.max !== undefined && n > o.max)) fail(`${n} is not${range}`);
      return n;
    },
  };
}

const TRUE = ['true', '1', 'on', 'yes'];
const FALSE = ['false', '0', 'off', 'no'];

export function boolean(): OptType<boolean> {
  return {
    kind: 'boolean',
    description: 'true or false',
    parse(raw) {
      if (typeof raw === 'boolean') return raw;
      const s = typeof raw === 'string' ? unquote(raw).toLowerCase() : typeof raw === 'number' ? String(raw) : '';
      if (TRUE.includes(s)) return true;
      if (FALSE.includes(s)) return false;
      return fail(`${show(raw)} is not a boolean (true/false, yes/no, on/off, 1/0)`);
    },
  };
}

/** Split on commas outside quotes, as oslo's List type does. */
function splitItems(s: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quote = '';
  for (const ch of s) {
    if (quote) {
      cur += ch;
      if (ch === quote) quote = '';
      continue;
    }
    if (ch === '"' || ch === "'") {
      quote = ch;
      cur += ch;
      continue;
    }
    if (ch === ',') {
      out.push(cur);
      cur = '';
      continue;
    }
    cur += ch;
  }
  if (quote) fail(`unbalanced quote in ${show(s)}`);
  out.push(cur);
  return out.map((x) => x.trim()).filter((x) => x !== '');
}

/** `a, b`, `[a, b]`, `['a', "b"]` in INI; an array in JSON. */
export function list<T>(item: OptType<T>): OptType<T[]> {
  return {
    kind: 'list',
    description: `a list of ${item.description.replace(/^an? /, '')}s`,
    parse(raw) {
      let items: unknown[];
      if (Array.isArray(raw)) items = raw;
      else if (typeof raw === 'string') {
        let s = raw.trim();
        if (s.startsWith('[') && s.endsWith(']')) s = s.slice(1, -1);
        items = s.trim() === '' ? [] : splitItems(s).map(unquote);
      } else return fail(`expected a list, got ${show(raw)}`);
      return items.map((v, i) => {
        try {
          return item.parse(v);
        } catch (e) {
          return fail(`item ${i + 1}: ${(e as Error).message}`);
        }
      });
    },
  };
}

/** `k1:v1, k2:v2` (quotes allowed around keys and values) in INI; an object in JSON. */
export function dict<T>(value: OptType<T>): OptType<Record<string, T>> {
  return {
    kind: 'dict',
    description: `key:value pairs of ${value.description.replace(/^an? /, '')}s`,
    parse(raw) {
      const out: Record<string, T> = {};
      const put = (k: string, v: unknown) => {
        if (!k) fail('empty key in dict');
        if (k in out) fail(`key '${k}' given twice`);
        try {
          out[k] = value.parse(v);
        } catch (e) {
          fail(`key '${k}': ${(e as Error).message}`);
        }
      };
      if (typeof raw === 'object' && raw !== null && !Array.isArray(raw)) {
        for (const [k, v] of Object.entries(raw)) put(k, v);
        return out;
      }
      if (typeof raw !== 'string') return fail(`expected key:value pairs, got ${show(raw)}`);
      let s = raw.trim();
      if (s.startsWith('{') && s.endsWith('}')) s = s.slice(1, -1);
      if (s.trim() === '') return out;
      for (const pair of splitItems(s)) {
        const m = /^("[^"]*"|'[^']*'|[^:]*):(.*)$/s.exec(pair);
        if (!m) fail(`'${pair}' is not key:value`);
        put(unquote(m![1]!), unquote(m![2]!));
      }
      return out;
    },
  };
}

/** A TCP port, 1..65535 (oslo's PortOpt). */
export const port = () => ({ ...integer({ min: 1, max: 65535 }), kind: 'port', description: 'a port from 1 to 65535' });

export interface OptSpec<T> {
  readonly type: OptType<T>;
  readonly default: T;
  readonly help: string;
}

/** An option with a default: its value is always a T. */
export function option<T>(type: OptType<T>, spec: { default: T; help: string }): OptSpec<T>;
/** An option without a default: its value is a T or undefined. */
export function option<T>(type: OptType<T>, spec: { help: string }): OptSpec<T | undefined>;
export function option<T>(type: OptType<T>, spec: { default?: T; help: string }): OptSpec<T | undefined> {
  return { type: type as OptType<T | undefined>, default: spec.default, help: spec.help };
}

export type GroupSchema = Record<string, OptSpec<unknown>>;
export type GroupValues<G extends GroupSchema> = { -readonly [K in keyof G]: G[K] extends OptSpec<infer T> ? T : never };

/** The namespace plugin authors use to declare their options: `opts.option(opts.string(), {...})`. */
export const opts = { string, secret, integer, boolean, list, dict, port, option };
