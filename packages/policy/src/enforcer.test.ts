import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { isGlanceImportError } from '@glance-import/errors';
import type { Credentials } from './credentials.js';
import { GLANCE_DEFAULT_RULES } from './defaults.js';
import { PolicyEnforcer, type PolicyLoadOptions } from './enforcer.js';
import { imageTarget } from './image.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'gi-policy-'));
});

async function policyFile(name: string, text: string): Promise<string> {
  const file = path.join(dir, name);
  await writeFile(file, text);
  return file;
}

async function loadError(options: PolicyLoadOptions): Promise<Error & { code: string; details: Record<string, unknown> }> {
  const error = await PolicyEnforcer.load(options).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isGlanceImportError(error)).toBe(true);
  return error as Error & { code: string; details: Record<string, unknown> };
}

const member: Credentials = { user_id: 'u1', project_id: 'p1', roles: ['member'] };
const reader: Credentials = { user_id: 'u2', project_id: 'p1', roles: ['reader'] };
const admin: Credentials = { user_id: 'u3', project_id: 'p9', roles: ['admin'] };
const ownImage = imageTarget({ id: 'i1', owner: 'p1', visibility: 'private' });

// The policy file the seed recommends so that ordinary users import while the Tasks API stays closed.
const SEED_YAML = `# tasks: open for the import machinery, closed as an API
get_task: ""
get_tasks: ""
add_task: ""
modify_task: ""
tasks_api_access: "role:admin"
`;

describe('PolicyEnforcer.load', () => {
  it("starts from Glance's defaults", async () => {
    const enforcer = await PolicyEnforcer.load();
    expect(Object.fromEntries(enforcer.rules)).toEqual(GLANCE_DEFAULT_RULES);
    expect((await PolicyEnforcer.load({ defaults: 'none' })).rules.size).toBe(0);
  });

  it('loads the seed file: images as before, tasks API for admins only', async () => {
    const enforcer = await PolicyEnforcer.load({ file: await policyFile('seed.yaml', SEED_YAML) });
    expect(enforcer.warnings).toEqual([]);
    expect(enforcer.rules.get('tasks_api_access')).toBe('role:admin');
    expect(enforcer.rules.get('get_task')).toBe('');
    expect(enforcer.rules.get('modify_image')).toBe(GLANCE_DEFAULT_RULES['modify_image']);
    for (const rule of ['add_image', 'get_image', 'modify_image', 'upload_image', 'download_image', 'delete_image']) {
      expect(enforcer.check(rule, ownImage, member), rule).toBe(true);
    }
    for (const rule of ['get_task', 'get_tasks', 'add_task', 'modify_task']) expect(enforcer.check(rule, {}, member), rule).toBe(true);
    expect(enforcer.check('tasks_api_access', {}, member)).toBe(false);
    expect(enforcer.check('tasks_api_access', {}, reader)).toBe(false);
    expect(enforcer.check('tasks_api_access', {}, admin)).toBe(true);
  });

  it('reads JSON as well, by content rather than by file name', async () => {
    const json = JSON.stringify({ modify_image: 'role:admin', get_task: '' });
    for (const name of ['policy.json', 'policy.yaml']) {
      const enforcer = await PolicyEnforcer.load({ file: await policyFile(name, `\n  ${json}`) });
      expect(enforcer.check('modify_image', ownImage, member)).toBe(false);
      expect(enforcer.check('modify_image', ownImage, admin)).toBe(true);
      expect(enforcer.check('get_image', ownImage, member)).toBe(true);
    }
  });

  it('reads the legacy list-of-lists form as or-of-ands', async () => {
    const file = await policyFile(
      'legacy.json',
      JSON.stringify({
        modify_image: [['role:member', 'project_id:%(project_id)s'], ['role:admin']],
        get_image: [],
        delete_image: [[]],
        upload_image: ['role:member'],
      }),
    );
    const enforcer = await PolicyEnforcer.load({ file, defaults: 'none' });
    expect(enforcer.rules.get('modify_image')).toBe('(role:member and project_id:%(project_id)s) or role:admin');
    expect(enforcer.rules.get('get_image')).toBe('');
    expect(enforcer.rules.get('delete_image')).toBe('!');
    expect(enforcer.rules.get('upload_image')).toBe('role:member');
    expect(enforcer.check('modify_image', ownImage, member)).toBe(true);
    expect(enforcer.check('modify_image', imageTarget({ id: 'i2', owner: 'p2' }), member)).toBe(false);
    expect(enforcer.check('delete_image', ownImage, admin)).toBe(false);
  });

  it('applies rules given in code over the file, and the file over the defaults', async () => {
    const file = await policyFile('over.yaml', 'modify_image: "!"\nupload_image: "!"\n');
    const enforcer = await PolicyEnforcer.load({ file, rules: { modify_image: 'role:member' } });
    expect(enforcer.check('modify_image', ownImage, reader)).toBe(false);
    expect(enforcer.check('modify_image', imageTarget({ id: 'i2', owner: 'p2' }), member)).toBe(true);
    expect(enforcer.check('upload_image', ownImage, admin)).toBe(false);
    expect(enforcer.check('delete_image', ownImage, member)).toBe(true);
  });

  it('takes an empty file as no overrides', async () => {
    const enforcer = await PolicyEnforcer.load({ file: await policyFile('empty.yaml', '# nothing\n') });
    expect(Object.fromEntries(enforcer.rules)).toEqual(GLANCE_DEFAULT_RULES);
  });

  it('refuses a malformed rule in the file, naming the rule, the file and the position', async () => {
    const file = await policyFile('typo.yaml', 'modify_image: "role:admin or (role:member and project_id:%(project_id)s"\n');
    const error = await loadError({ file });
    expect(error.code).toBe('GI_POLICY_SYNTAX');
    expect(error.details).toMatchObject({ rule: 'modify_image', source: file, position: 57 });
    expect(error.message).toContain(`Policy rule 'modify_image' (${file}) cannot be parsed at character 57`);
  });

  it('refuses a file it cannot use', async () => {
    const error = await loadError({ file: path.join(dir, 'missing.yaml') });
    expect(error.code).toBe('GI_POLICY_FILE');
    expect(error.message).toContain('ENOENT');
  });

  it('refuses a malformed rule given in code', async () => {
    const error = await loadError({ rules: { get_image: 'role:admin or' } });
    expect(error.details).toMatchObject({ rule: 'get_image', source: 'rules option', position: 14 });
  });
});

describe('PolicyEnforcer checks', () => {
  it("falls back to the 'default' rule for a rule nobody defined", async () => {
    expect((await PolicyEnforcer.load()).check('no_such_rule', {}, reader)).toBe(true);
    const closed = await PolicyEnforcer.load({ rules: { default: 'role:admin' } });
    expect(closed.check('no_such_rule', {}, reader)).toBe(false);
    expect(closed.check('no_such_rule', {}, admin)).toBe(true);
    expect((await PolicyEnforcer.load({ defaults: 'none' })).check('no_such_rule', {}, admin)).toBe(false);
  });

  it('warns about rule: references to undefined rules, and fails them closed', async () => {
    const enforcer = await PolicyEnforcer.load({ rules: { get_task: 'rule:typo_admin', modify_image: 'not rule:typo_admin' } });
    expect(enforcer.warnings.map((w) => [w.code, w.details])).toEqual([
      // in the order the rules were first defined (Glance's registration order)
      ['GI_POLICY_UNDEFINED_RULE', { rule: 'modify_image', missing: 'typo_admin' }],
      ['GI_POLICY_UNDEFINED_RULE', { rule: 'get_task', missing: 'typo_admin' }],
    ]);
    // oslo would evaluate the 'default' rule ("", allow) for the missing name; we deny.
    expect(enforcer.check('get_task', {}, admin)).toBe(false);
    expect(enforcer.check('modify_image', ownImage, reader)).toBe(true);
  });

  it('warns about cycles once each, and a check that reaches one fails instead of looping', async () => {
    const enforcer = await PolicyEnforcer.load({
      defaults: 'none',
      rules: { a: 'rule:b', b: 'rule:a or role:admin', me: 'rule:me', c: 'rule:a or role:member' },
    });
    expect(enforcer.warnings.map((w) => w.message)).toEqual([
      'Policy rules refer to each other in a cycle: a -> b -> a; a check that reaches the cycle fails.',
      'Policy rules refer to each other in a cycle: me -> me; a check that reaches the cycle fails.',
    ]);
    expect(enforcer.check('a', {}, member)).toBe(false);
    expect(enforcer.check('me', {}, admin)).toBe(false);
    expect(enforcer.check('b', {}, admin)).toBe(true);
    expect(enforcer.check('c', {}, member)).toBe(true);
  });

  it('implies member and reader from admin, and reader from member', async () => {
    const enforcer = await PolicyEnforcer.load({ defaults: 'none', rules: { r: 'role:reader', m: 'role:member', a: 'role:admin' } });
    const allowed = (who: Credentials) => ['r', 'm', 'a'].filter((rule) => enforcer.check(rule, {}, who));
    expect(allowed(admin)).toEqual(['r', 'm', 'a']);
    expect(allowed({ ...admin, roles: ['Admin'] })).toEqual(['r', 'm', 'a']);
    expect(allowed(member)).toEqual(['r', 'm']);
    expect(allowed(reader)).toEqual(['r']);
    expect(allowed({ ...reader, roles: [] })).toEqual([]);
  });

  it('takes is_admin from context_is_admin unless the caller says', async () => {
    const enforcer = await PolicyEnforcer.load({ rules: { flag: 'is_admin:True' } });
    expect(enforcer.check('flag', {}, admin)).toBe(true);
    expect(enforcer.check('flag', {}, member)).toBe(false);
    expect(enforcer.check('flag', {}, { ...member, is_admin: true })).toBe(true);
    expect(enforcer.check('flag', {}, { ...admin, is_admin: false })).toBe(false);
    const custom = await PolicyEnforcer.load({ rules: { flag: 'is_admin:True', context_is_admin: 'role:cloud_admin' } });
    expect(custom.check('flag', {}, admin)).toBe(false);
    expect(custom.check('flag', {}, { ...member, roles: ['cloud_admin'] })).toBe(true);
  });

  it("enforce throws GI_POLICY_FORBIDDEN (403) naming the rule, in Glance's words", async () => {
    const enforcer = await PolicyEnforcer.load();
    expect(() => enforcer.enforce('modify_image', ownImage, member)).not.toThrow();
    let error: unknown;
    try {
      enforcer.enforce('modify_image', ownImage, reader);
    } catch (e) {
      error = e;
    }
    expect(isGlanceImportError(error, 'GI_POLICY_FORBIDDEN')).toBe(true);
    expect(error).toMatchObject({ status: 403, message: 'You are not authorized to complete modify_image action.', details: { rule: 'modify_image' } });
  });
});
