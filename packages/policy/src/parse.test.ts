import { describe, expect, it } from 'vitest';
import { isGlanceImportError } from '@glance-import/errors';
import { parseRule, references, type RuleNode } from './parse.js';

const role = (name: string): RuleNode => ({ type: 'role', match: [name] });

describe('parseRule', () => {
  it('reads "" as always and ! / @ as never / always', () => {
    expect(parseRule('')).toEqual({ type: 'always' });
    expect(parseRule('!')).toEqual({ type: 'never' });
    expect(parseRule('@')).toEqual({ type: 'always' });
  });

  it('binds and tighter than or, on either side', () => {
    expect(parseRule('role:a or role:b and role:c')).toEqual({ type: 'or', checks: [role('a'), { type: 'and', checks: [role('b'), role('c')] }] });
    expect(parseRule('role:a and role:b or role:c')).toEqual({ type: 'or', checks: [{ type: 'and', checks: [role('a'), role('b')] }, role('c')] });
    expect(parseRule('role:a or role:b or role:c')).toEqual({ type: 'or', checks: [role('a'), role('b'), role('c')] });
  });

  it('binds not tightest, and lets it nest', () => {
    expect(parseRule('not role:a and role:b')).toEqual({ type: 'and', checks: [{ type: 'not', check: role('a') }, role('b')] });
    expect(parseRule('not not role:a')).toEqual({ type: 'not', check: { type: 'not', check: role('a') } });
    expect(parseRule('role:a or not role:b and role:c')).toEqual({
      type: 'or',
      checks: [role('a'), { type: 'and', checks: [{ type: 'not', check: role('b') }, role('c')] }],
    });
  });

  it('groups with parentheses, glued to checks or standing alone', () => {
    const grouped = { type: 'and', checks: [{ type: 'or', checks: [role('a'), role('b')] }, role('c')] };
    expect(parseRule('(role:a or role:b) and role:c')).toEqual(grouped);
    expect(parseRule('( role:a or role:b ) and role:c')).toEqual(grouped);
    expect(parseRule('((role:a))')).toEqual(role('a'));
    expect(parseRule('not (role:a or (role:b and project_id:%(owner)s))')).toEqual({
      type: 'not',
      check: { type: 'or', checks: [role('a'), { type: 'and', checks: [role('b'), { type: 'generic', path: ['project_id'], match: [{ key: 'owner' }] }] }] },
    });
  });

  it('takes and / or / not in any case, as oslo lowercases them', () => {
    expect(parseRule('role:a AND NOT role:b Or role:c')).toEqual(parseRule('role:a and not role:b or role:c'));
  });

  it('reads quoted literals, with either quote, spaces or colons inside', () => {
    expect(parseRule("'public':%(visibility)s")).toEqual({ type: 'generic', literal: 'public', match: [{ key: 'visibility' }] });
    expect(parseRule('"public":%(visibility)s')).toEqual({ type: 'generic', literal: 'public', match: [{ key: 'visibility' }] });
    expect(parseRule("'a b':%(name)s")).toEqual({ type: 'generic', literal: 'a b', match: [{ key: 'name' }] });
    expect(parseRule("'x:y':%(name)s")).toEqual({ type: 'generic', literal: 'x:y', match: [{ key: 'name' }] });
    expect(parseRule("('shared':%(visibility)s)")).toEqual({ type: 'generic', literal: 'shared', match: [{ key: 'visibility' }] });
  });

  it('reads Python literals on the left and credential paths otherwise', () => {
    expect(parseRule('True:%(enabled)s')).toEqual({ type: 'generic', literal: 'True', match: [{ key: 'enabled' }] });
    expect(parseRule('42:%(min_ram)s')).toEqual({ type: 'generic', literal: '42', match: [{ key: 'min_ram' }] });
    expect(parseRule('is_admin:True')).toEqual({ type: 'generic', path: ['is_admin'], match: ['True'] });
    expect(parseRule('token.user.id:abc')).toEqual({ type: 'generic', path: ['token', 'user', 'id'], match: ['abc'] });
  });

  it('reads templates with several holes and %% for a percent sign', () => {
    expect(parseRule('name:%(a)s-%(b)s%%')).toEqual({ type: 'generic', path: ['name'], match: [{ key: 'a' }, '-', { key: 'b' }, '%'] });
    expect(parseRule('role:%(role)s')).toEqual({ type: 'role', match: [{ key: 'role' }] });
  });

  it.each([
    ['role:admin and', 15, "expected a check after 'and', found the end of the rule"],
    ['or role:a', 1, "expected a check, found 'or'"],
    ['()', 2, "expected a check after '(', found ')'"],
    ['(role:admin', 12, "expected ')' to close the '(' at character 1"],
    ['role:admin)', 11, "')' closes nothing"],
    ['role:admin role:member', 12, "expected 'and' or 'or' before 'role:member'"],
    ['admin', 1, 'expected a check such as role:admin or rule:admin'],
    ["'public'", 1, 'a quoted string alone is not a check'],
    ["'public:%(visibility)s", 1, "the quote ' is never closed"],
    ["'a'b:%(x)s", 4, "expected ':' right after the quoted literal 'a'"],
    ['project_id:%(owner)', 12, "'%' must start a target attribute"],
    ['project_id:50%', 14, "'%' must start a target attribute"],
    ['rule:', 6, 'rule: needs a name'],
    ['role: or role:a', 6, 'role: needs a name'],
    [':x', 1, "nothing stands before ':'"],
    ['a..b:x', 1, "'a..b' is not a credential attribute path"],
    ['http://example.com/check', 1, 'http: checks'],
    ['   ', 1, 'the rule is blank'],
  ])('refuses %j at character %i', (text, position, reason) => {
    let error: unknown;
    try {
      parseRule(text, { rule: 'my_rule', source: 'policy.yaml' });
    } catch (e) {
      error = e;
    }
    expect(isGlanceImportError(error, 'GI_POLICY_SYNTAX')).toBe(true);
    const e = error as Error & { details: Record<string, unknown> };
    expect(e.details).toMatchObject({ rule: 'my_rule', source: 'policy.yaml', text, position });
    expect(e.message).toContain(reason);
    expect(e.message).toContain(`Policy rule 'my_rule' (policy.yaml) cannot be parsed at character ${position}`);
  });
});

describe('references', () => {
  it('lists every rule: reference, however deep', () => {
    expect(references(parseRule('rule:a or (role:x and not rule:b) or rule:a'))).toEqual(['a', 'b', 'a']);
    expect(references(parseRule('role:x'))).toEqual([]);
  });
});
