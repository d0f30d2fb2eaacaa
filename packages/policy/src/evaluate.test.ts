import { describe, expect, it } from 'vitest';
import { evaluate, fill, pyStr, type Target } from './evaluate.js';
import { parseRule, type RuleNode } from './parse.js';

function run(text: string, target: Target, creds: Record<string, unknown>, rules: Record<string, string> = {}): boolean {
  const compiled = new Map<string, RuleNode>(Object.entries(rules).map(([k, v]) => [k, parseRule(v)]));
  return evaluate(parseRule(text), { rules: compiled, target, creds, active: new Set() });
}

describe('pyStr and fill', () => {
  it('print values as Python does, since oslo compares str() of them', () => {
    expect([null, true, false, 'x', 7].map(pyStr)).toEqual(['None', 'True', 'False', 'x', '7']);
  });

  it('fill holes from the target, and give up on a missing key', () => {
    const template = [{ key: 'a' }, '/', { key: 'b' }];
    expect(fill(template, { a: 'x', b: null })).toBe('x/None');
    expect(fill(template, { a: 'x' })).toBeUndefined();
    expect(fill(template, { a: 'x', b: undefined })).toBeUndefined();
  });
});

describe('evaluate', () => {
  const creds = { user_id: 'u1', project_id: 'p1', roles: ['Member'], is_admin: false, token: { user: { id: 'u1' }, groups: [{ id: 'g1' }, { id: 'g2' }] } };

  it('matches roles case-insensitively, also when the role comes from the target', () => {
    expect(run('role:member', {}, creds)).toBe(true);
    expect(run('role:MEMBER', {}, creds)).toBe(true);
    expect(run('role:admin', {}, creds)).toBe(false);
    expect(run('role:%(wanted)s', { wanted: 'member' }, creds)).toBe(true);
    expect(run('role:%(wanted)s', {}, creds)).toBe(false);
  });

  it('compares a credential with a target attribute, and fails when the attribute is missing', () => {
    expect(run('project_id:%(owner)s', { owner: 'p1' }, creds)).toBe(true);
    expect(run('project_id:%(owner)s', { owner: 'p2' }, creds)).toBe(false);
    expect(run('project_id:%(owner)s', {}, creds)).toBe(false);
    expect(run('project_id:%(owner)s', { owner: null }, creds)).toBe(false);
  });

  it('compares literals with target attributes', () => {
    expect(run("'public':%(visibility)s", { visibility: 'public' }, creds)).toBe(true);
    expect(run("'public':%(visibility)s", { visibility: 'private' }, creds)).toBe(false);
    expect(run('True:%(protected)s', { protected: true }, creds)).toBe(true);
    expect(run('None:%(owner)s', { owner: null }, creds)).toBe(true);
  });

  it('compares a credential with a literal, walking dotted paths and lists', () => {
    expect(run('is_admin:False', {}, creds)).toBe(true);
    expect(run('is_admin:True', {}, creds)).toBe(false);
    expect(run('user_id:u1', {}, creds)).toBe(true);
    expect(run('token.user.id:u1', {}, creds)).toBe(true);
    expect(run('token.groups.id:g2', {}, creds)).toBe(true);
    expect(run('token.groups.id:g3', {}, creds)).toBe(false);
    expect(run('token.nothing.id:u1', {}, creds)).toBe(false);
    expect(run('roles:Member', {}, creds)).toBe(true);
  });

  it('combines checks with and, or, not', () => {
    expect(run('role:member and not is_admin:True', {}, creds)).toBe(true);
    expect(run('role:admin or project_id:%(owner)s', { owner: 'p1' }, creds)).toBe(true);
    expect(run('role:admin or role:member and project_id:%(owner)s', { owner: 'p2' }, creds)).toBe(false);
    expect(run('(role:admin or role:member) and not project_id:%(owner)s', { owner: 'p2' }, creds)).toBe(true);
  });

  it('follows rule: references, failing closed on undefined ones', () => {
    expect(run('rule:members', {}, creds, { members: 'role:member' })).toBe(true);
    expect(run('rule:nobody', {}, creds, { members: 'role:member' })).toBe(false);
    expect(run('not rule:nobody', {}, creds)).toBe(true);
  });

  it('stops at a cycle of rule: references instead of recursing forever', () => {
    const rules = { a: 'rule:b', b: 'rule:a or role:admin', self: 'rule:self' };
    expect(run('rule:a', {}, creds, rules)).toBe(false);
    expect(run('rule:self', {}, creds, rules)).toBe(false);
    expect(run('rule:a or role:member', {}, creds, rules)).toBe(true);
    expect(run('rule:a', {}, { ...creds, roles: ['admin'] }, rules)).toBe(true);
  });
});
