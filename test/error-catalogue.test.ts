import { existsSync } from 'node:fs';
import path from 'node:path';
import { RETIRED_CODES } from '@glance-import/errors';
import { describe, expect, it } from 'vitest';
import { ERROR_TABLES } from './support/error-tables.js';
import { workspacePackages } from './support/workspace.js';

// Every first-party error table at once: codes are what scripts and operators match on, so they must
// be unique, stay inside their package's prefixes, never come back once retired, and each must tell
// a person what to do next.

const tables = Object.entries(ERROR_TABLES);
const entries = tables.flatMap(([pkg, t]) => Object.entries(t.table).map(([code, d]) => ({ pkg, code, d })));

// Function hints and messages are called with made-up parameters of each shape a table uses: all
// strings, all lists of strings, all numbers. At least one shape must give a string, and none an
// empty one.
const shapes: Array<(key: string) => unknown> = [(k) => `<${k}>`, (k) => [`<${k}>`], () => 7];
const sample = (shape: (key: string) => unknown) => new Proxy({}, { get: (_t, k) => (typeof k === 'string' ? shape(k) : undefined) });
function rendered(f: string | ((p: never) => string)): string[] {
  if (typeof f === 'string') return [f];
  return shapes.flatMap((shape) => {
    try {
      const s: unknown = f(sample(shape) as never);
      return typeof s === 'string' ? [s] : [];
    } catch {
      return [];
    }
  });
}

describe('the error catalogue', () => {
  it('holds the table of every package that has a src/errors.ts', async () => {
    const withTable = (await workspacePackages())
      .filter((p) => p.name !== '@glance-import/errors' && existsSync(path.join(p.dir, 'src', 'errors.ts')))
      .map((p) => p.name)
      .sort();
    expect(Object.keys(ERROR_TABLES).sort()).toEqual(withTable);
  });

  it('defines no code twice', () => {
    const seen = new Map<string, string[]>();
    for (const { pkg, code } of entries) seen.set(code, [...(seen.get(code) ?? []), pkg]);
    expect([...seen].filter(([, pkgs]) => pkgs.length > 1)).toEqual([]);
  });

  it("keeps every code inside its package's prefixes, and no prefix is shared by two packages", () => {
    expect(entries.filter(({ pkg, code }) => !ERROR_TABLES[pkg]!.prefixes.some((p) => code.startsWith(p))).map((e) => e.code)).toEqual([]);
    const owners = tables.flatMap(([pkg, t]) => t.prefixes.map((p) => [p, pkg] as const));
    expect(owners.filter(([p], i) => owners.findIndex(([q]) => q === p) !== i)).toEqual([]);
    // Nor may one prefix start another (GI_IMPORT_ and GI_IMPORT_X_ would blur who owns a code).
    expect(owners.filter(([p, a]) => owners.some(([q, b]) => a !== b && q.startsWith(p)))).toEqual([]);
  });

  it('never defines a retired code again', () => {
    expect(entries.filter(({ code }) => RETIRED_CODES.includes(code)).map((e) => e.code)).toEqual([]);
  });

  it('gives every code a non-empty message and hint', () => {
    const empty = entries.filter(({ d }) => {
      const outs = [rendered(d.message), rendered(d.hint)];
      return outs.some((o) => o.length === 0 || o.some((s) => s.trim() === ''));
    });
    expect(empty.map((e) => e.code)).toEqual([]);
    expect(entries.length).toBeGreaterThan(100);
  });
});
