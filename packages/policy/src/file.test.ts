import { describe, expect, it } from 'vitest';
import { isGlanceImportError } from '@glance-import/errors';
import { parsePolicyText } from './file.js';

function refusal(text: string): Error & { code: string } {
  try {
    parsePolicyText(text, 'policy.yaml');
  } catch (e) {
    expect(isGlanceImportError(e)).toBe(true);
    return e as Error & { code: string };
  }
  throw new Error('expected a refusal');
}

describe('parsePolicyText', () => {
  it('reads YAML, JSON and YAML flow mappings alike', () => {
    const rules = { get_task: '', tasks_api_access: 'role:admin' };
    expect(parsePolicyText('get_task: ""\ntasks_api_access: role:admin\n', 'policy.yaml')).toEqual(rules);
    expect(parsePolicyText(JSON.stringify(rules), 'policy.yaml')).toEqual(rules);
    expect(parsePolicyText('{get_task: "", tasks_api_access: role:admin}', 'policy.json')).toEqual(rules);
    expect(parsePolicyText('# only comments\n', 'policy.yaml')).toEqual({});
  });

  it('turns the legacy list form into the equivalent check string', () => {
    expect(
      parsePolicyText(
        JSON.stringify({
          a: [['role:x', 'project_id:%(owner)s'], ['role:admin']],
          b: [],
          c: [[]],
          d: ['role:x'],
          e: [['role:x', 'role:y']],
        }),
        'policy.json',
      ),
    ).toEqual({ a: '(role:x and project_id:%(owner)s) or role:admin', b: '', c: '!', d: 'role:x', e: 'role:x and role:y' });
  });

  it.each([
    ['modify_image: [unclosed\n', 'invalid YAML'],
    ['{"modify_image": "role:admin"', 'invalid JSON'],
    ['{"modify_image": }', "rule 'modify_image' must be a check string, not empty"],
    ['a: ""\na: "!"\n', 'invalid YAML'],
    ['- role:admin\n', 'the top level must map rule names'],
    ['"role:admin"\n', 'the top level must map rule names'],
    ['tasks_api_access:\n', "rule 'tasks_api_access' must be a check string, not empty"],
    ['get_task: 1\n', "rule 'get_task' must be a check string, not number"],
    ['{"get_task": [["role:a", 1]]}', 'a list-form rule holds lists of check strings'],
  ])('refuses %j with GI_POLICY_FILE', (text, reason) => {
    const error = refusal(text);
    expect(error.code).toBe('GI_POLICY_FILE');
    expect(error.message).toContain("Policy file 'policy.yaml' cannot be used");
    expect(error.message).toContain(reason);
  });

  it.each([
    ['{"get_task": [["role:a or role:b"]]}', 'each element of a list-form rule must be one check'],
    ['{"get_task": [["(role:a)"]]}', 'each element of a list-form rule must be one check'],
    ['{"get_task": [["admin"]]}', 'expected a check such as role:admin'],
  ])('refuses %j, where oslo expects single checks, with GI_POLICY_SYNTAX', (text, reason) => {
    const error = refusal(text);
    expect(error.code).toBe('GI_POLICY_SYNTAX');
    expect(error.message).toContain(reason);
  });
});
