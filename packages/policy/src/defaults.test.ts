import { beforeAll, describe, expect, it } from 'vitest';
import type { Credentials } from './credentials.js';
import { GLANCE_DEFAULT_RULES } from './defaults.js';
import { PolicyEnforcer } from './enforcer.js';
import { imageTarget, newImageTarget } from './image.js';

// The check strings Glance master registers, as oslo.policy's generator prints them.
const GLANCE_MASTER: Record<string, string> = {
  default: '',
  context_is_admin: 'role:admin',
  service_api: 'role:service or role:admin',
  add_image: 'rule:context_is_admin or (role:member and project_id:%(project_id)s and project_id:%(owner)s)',
  get_image:
    "rule:context_is_admin or (role:reader and (project_id:%(project_id)s or project_id:%(member_id)s or 'community':%(visibility)s or 'public':%(visibility)s or 'shared':%(visibility)s))",
  get_images: 'rule:context_is_admin or (role:reader and project_id:%(project_id)s)',
  modify_image: 'rule:context_is_admin or (role:member and project_id:%(project_id)s)',
  publicize_image: 'rule:context_is_admin',
  download_image:
    "rule:context_is_admin or (role:member and (project_id:%(project_id)s or project_id:%(member_id)s or 'community':%(visibility)s or 'public':%(visibility)s or 'shared':%(visibility)s))",
  add_image_location: 'rule:service_api or (role:member and project_id:%(project_id)s and project_id:%(owner)s)',
  get_member: 'rule:context_is_admin or role:reader and (project_id:%(project_id)s or project_id:%(member_id)s)',
  modify_member: 'rule:context_is_admin or (role:member and project_id:%(member_id)s)',
  copy_image: 'rule:context_is_admin',
  get_task: 'rule:default',
  modify_task: 'rule:default',
  tasks_api_access: 'rule:context_is_admin',
  stores_info_detail: 'rule:context_is_admin or rule:service_api',
};

const creds = (project_id: string, ...roles: string[]): Credentials => ({ user_id: `u-${project_id}`, project_id, roles });

// Columns: who asks, about which image of project p1.
const COLUMNS = [
  ['admin of another project', creds('p9', 'admin'), 'private'],
  ['owner member', creds('p1', 'member'), 'private'],
  ['owner reader only', creds('p1', 'reader'), 'private'],
  ['owner without roles', creds('p1'), 'private'],
  ['other member, private', creds('p2', 'member'), 'private'],
  ['other member, public', creds('p2', 'member'), 'public'],
  ['other member, community', creds('p2', 'member'), 'community'],
  ['other member, shared', creds('p2', 'member'), 'shared'],
  ['image member, shared', creds('p2', 'member'), 'shared', 'p2'],
  ['service', creds('p9', 'service'), 'private'],
] as const;

// One letter per column, in order: T allowed, F denied.
const MATRIX: Record<string, string> = {
  get_image: 'TTTFFTTTTF',
  download_image: 'TTFFFTTTTF',
  download_from_store: 'TTFFFTTTTF',
  modify_image: 'TTFFFFFFFF',
  upload_image: 'TTFFFFFFFF',
  delete_image: 'TTFFFFFFFF',
  communitize_image: 'TTFFFFFFFF',
  deactivate: 'TTFFFFFFFF',
  reactivate: 'TTFFFFFFFF',
  add_member: 'TTFFFFFFFF',
  delete_member: 'TTFFFFFFFF',
  set_image_location: 'TTFFFFFFFF',
  get_image_location: 'TTTFFFFFFF',
  get_member: 'TTTFFFFFTF',
  get_members: 'TTTFFFFFTF',
  modify_member: 'TFFFFFFFTF',
  publicize_image: 'TFFFFFFFFF',
  copy_image: 'TFFFFFFFFF',
  delete_image_location: 'TFFFFFFFFF',
  tasks_api_access: 'TFFFFFFFFF',
  manage_image_cache: 'TFFFFFFFFF',
  list_cached_nodes: 'TFFFFFFFFF',
  cache_image: 'TFFFFFFFFF',
  cache_list: 'TFFFFFFFFF',
  cache_delete: 'TFFFFFFFFF',
  cache_clean: 'TFFFFFFFFF',
  cache_prune: 'TFFFFFFFFF',
  stores_info_detail: 'TFFFFFFFFT',
  get_import_plugins: 'TFFFFFFFFF',
  get_projects_usage: 'TFFFFFFFFF',
  fetch_image_location: 'TFFFFFFFFT',
  add_image_location: 'TTFFFFFFFT',
  get_task: 'TTTTTTTTTT',
  get_tasks: 'TTTTTTTTTT',
  add_task: 'TTTTTTTTTT',
  modify_task: 'TTTTTTTTTT',
  default: 'TTTTTTTTTT',
  context_is_admin: 'TFFFFFFFFF',
  service_api: 'TFFFFFFFFT',
};

let enforcer: PolicyEnforcer;
beforeAll(async () => {
  enforcer = await PolicyEnforcer.load();
});

describe('Glance defaults', () => {
  it('are the check strings Glance master registers', () => {
    for (const [rule, text] of Object.entries(GLANCE_MASTER)) expect(GLANCE_DEFAULT_RULES[rule], rule).toBe(text);
    expect(GLANCE_DEFAULT_RULES['download_from_store']).toBe(GLANCE_MASTER['download_image']);
    expect(GLANCE_DEFAULT_RULES['get_members']).toBe(GLANCE_MASTER['get_member']);
  });

  it('load with no warnings, and these tests cover every rule', () => {
    expect(enforcer.warnings).toEqual([]);
    // add_image and get_images target a proposed image, tested below.
    expect([...Object.keys(MATRIX), 'add_image', 'get_images'].sort()).toEqual(Object.keys(GLANCE_DEFAULT_RULES).sort());
  });

  it.each(Object.entries(MATRIX))('%s decides as Glance does for each persona and image', (rule, row) => {
    const got = COLUMNS.map(([, who, visibility, member]) => {
      const target = imageTarget({ id: 'img-1', owner: 'p1', visibility, member: member ?? null });
      return enforcer.check(rule, target, who) ? 'T' : 'F';
    }).join('');
    expect(got, COLUMNS.map((c) => c[0]).join(' | ')).toBe(row);
  });

  it('add_image lets a member create only in its own project; admin anywhere', () => {
    const member = creds('p1', 'member');
    expect(enforcer.check('add_image', newImageTarget({}, member), member)).toBe(true);
    expect(enforcer.check('add_image', newImageTarget({ owner: 'p2' }, member), member)).toBe(false);
    expect(enforcer.check('add_image', newImageTarget({}, creds('p1', 'reader')), creds('p1', 'reader'))).toBe(false);
    expect(enforcer.check('add_image', newImageTarget({ owner: 'p2' }, creds('p9', 'admin')), creds('p9', 'admin'))).toBe(true);
  });

  it('get_images needs a reader in the project being listed', () => {
    for (const [who, allowed] of [
      [creds('p1', 'reader'), true],
      [creds('p1', 'member'), true],
      [creds('p1'), false],
      [creds('p1', 'service'), false],
    ] as const) {
      expect(enforcer.check('get_images', newImageTarget({}, who), who)).toBe(allowed);
    }
  });
});
