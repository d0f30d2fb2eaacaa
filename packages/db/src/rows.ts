import type { SqlValue } from './sql/driver.js';

/** Conversions between portable column types and JS values. */
export const bool = (v: unknown): boolean => v === 1 || v === true || v === '1';
export const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
export const json = (v: unknown): unknown => (v === null || v === undefined ? null : JSON.parse(String(v)));
export const toSql = (v: unknown): SqlValue => {
  if (v === undefined || v === null) return null;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'number' || typeof v === 'string') return v;
  return JSON.stringify(v);
};
export const placeholders = (n: number) => Array.from({ length: n }, () => '?').join(', ');
export const now = () => new Date().toISOString();
