import { badRequest } from '../http/errors.js';

/**
 * The value syntax of Glance's list filters (glance/common/utils.py and the iso8601 library that
 * oslo's parse_isotime uses), with Glance's words for what it refuses.
 */

// iso8601's grammar: YYYY, YYYY-M(M), YYYY-MM-DD or YYYYMMDD, then [T ]hh[:mm[:ss[.frac]]] and a zone.
const ISO_8601 =
  /^(\d{4})(?:(?:-(\d{1,2})|(\d{2})(?!$))(?:(?:-(\d{1,2})|(\d{2}))(?:[ T](\d{2})(?::?(\d{2}))?(?::?(\d{1,2})(?:[.,](\d+))?)?(Z|([-+])(\d{2}):?(\d{2})?)?)?)?)?$/;

/** An ISO 8601 time as the stored timestamps are written (UTC, milliseconds); undefined if it is none. A time without a zone is UTC. */
export function isoTime(text: string): string | undefined {
  const m = ISO_8601.exec(text);
  if (!m) return undefined;
  const n = (s: string | undefined, dflt: number) => (s === undefined ? dflt : Number(s));
  const [year, month, day] = [Number(m[1]), n(m[2] ?? m[3], 1), n(m[4] ?? m[5], 1)];
  const [hour, minute, second] = [n(m[6], 0), n(m[7], 0), n(m[8], 0)];
  const lastDay = month === 2 ? (isLeap(year) ? 29 : 28) : new Date(Date.UTC(2001, month, 0)).getUTCDate();
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > lastDay || hour > 23 || minute > 59 || second > 59) return undefined;
  const offsetMinutes = m[10] && m[10] !== 'Z' ? (m[11] === '-' ? -1 : 1) * (Number(m[12]) * 60 + n(m[13], 0)) : 0;
  if (Math.abs(offsetMinutes) >= 24 * 60) return undefined;
  const at = new Date(0);
  at.setUTCFullYear(year, month - 1, day);
  at.setUTCHours(hour, minute - offsetMinutes, second, Math.floor(Number(`0.${m[9] ?? '0'}`) * 1000));
  return at.toISOString();
}

const isLeap = (y: number) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;

/** `op:value`, or `eq` and the whole expression when it has no `:` or is itself an ISO 8601 time (split_filter_op). */
export function splitFilterOp(expression: string): { op: string; value: string } {
  const at = expression.indexOf(':');
  if (at < 0 || isoTime(expression) !== undefined) return { op: 'eq', value: expression };
  return { op: expression.slice(0, at), value: expression.slice(at + 1) };
}

/** The values of an `in:` list: comma-separated, a double-quoted value may hold commas (split_filter_value_for_quotes). */
export function splitQuoted(value: string): string[] {
  let opening = true;
  for (let i = 0; i < value.length; i++) {
    if (value[i] !== '"' || (i > 0 && value[i - 1] === '\\')) continue;
    if (opening && i > 0 && value[i - 1] !== ',') throw badRequest(`Invalid filter value ${value}. There is no comma before opening quotation mark.`);
    if (!opening && i + 1 !== value.length && value[i + 1] !== ',')
      throw badRequest(`Invalid filter value ${value}. There is no comma after closing quotation mark.`);
    opening = !opening;
  }
  if (!opening) throw badRequest(`Invalid filter value ${value}. The quote is not closed.`);
  return [...value.matchAll(/"([^"\\]*(?:\\.[^"\\]*)*)",?|([^,]+),?|,/g)].map((m) => m[1] || m[2] || '');
}

/** Python's int() of a query value: optional sign, digits, surrounding blanks. */
export function pythonInt(value: string): number | undefined {
  return /^\s*[+-]?\d+\s*$/.test(value) ? Number(value) : undefined;
}
