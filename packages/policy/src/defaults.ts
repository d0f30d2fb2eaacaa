/**
 * Glance's registered defaults (glance/policies/{base,image,tasks,discovery,cache}.py on master),
 * the new-default check strings without the deprecated `rule:default` fallbacks. Metadef rules are
 * left out: this service has no metadef API.
 */
const ADMIN = 'rule:context_is_admin';
const OWN_PROJECT = 'project_id:%(project_id)s';
const MEMBER_OF_PROJECT = `role:member and ${OWN_PROJECT}`;
const READER_OF_PROJECT = `role:reader and ${OWN_PROJECT}`;
const IMAGE_MEMBER = 'project_id:%(member_id)s';
const VISIBLE = `${OWN_PROJECT} or ${IMAGE_MEMBER} or 'community':%(visibility)s or 'public':%(visibility)s or 'shared':%(visibility)s`;

const ADMIN_OR_MEMBER = `${ADMIN} or (${MEMBER_OF_PROJECT})`;
const ADMIN_OR_READER = `${ADMIN} or (${READER_OF_PROJECT})`;

export const GLANCE_DEFAULT_RULES: Readonly<Record<string, string>> = Object.freeze({
  // base.py
  default: '',
  context_is_admin: 'role:admin',
  service_api: 'role:service or role:admin',
  // image.py
  add_image: `${ADMIN} or (${MEMBER_OF_PROJECT} and project_id:%(owner)s)`,
  delete_image: ADMIN_OR_MEMBER,
  get_image: `${ADMIN} or (role:reader and (${VISIBLE}))`,
  get_images: ADMIN_OR_READER,
  modify_image: ADMIN_OR_MEMBER,
  publicize_image: ADMIN,
  communitize_image: ADMIN_OR_MEMBER,
  download_image: `${ADMIN} or (role:member and (${VISIBLE}))`,
  download_from_store: `${ADMIN} or (role:member and (${VISIBLE}))`,
  upload_image: ADMIN_OR_MEMBER,
  delete_image_location: ADMIN,
  get_image_location: ADMIN_OR_READER,
  set_image_location: ADMIN_OR_MEMBER,
  add_image_location: `rule:service_api or (${MEMBER_OF_PROJECT} and project_id:%(owner)s)`,
  fetch_image_location: 'rule:service_api',
  add_member: ADMIN_OR_MEMBER,
  delete_member: ADMIN_OR_MEMBER,
  // Glance writes these two without parentheses; `and` binds tighter, so the meaning is the same.
  get_member: `${ADMIN} or role:reader and (${OWN_PROJECT} or ${IMAGE_MEMBER})`,
  get_members: `${ADMIN} or role:reader and (${OWN_PROJECT} or ${IMAGE_MEMBER})`,
  modify_member: `${ADMIN} or (role:member and ${IMAGE_MEMBER})`,
  manage_image_cache: ADMIN,
  deactivate: ADMIN_OR_MEMBER,
  reactivate: ADMIN_OR_MEMBER,
  copy_image: ADMIN,
  list_cached_nodes: ADMIN,
  // tasks.py: the task rules are registered but Glance evaluates none of them since Xena.
  get_task: 'rule:default',
  get_tasks: 'rule:default',
  add_task: 'rule:default',
  modify_task: 'rule:default',
  tasks_api_access: ADMIN,
  // discovery.py and cache.py
  stores_info_detail: `${ADMIN} or rule:service_api`,
  cache_image: ADMIN,
  cache_list: ADMIN,
  cache_delete: ADMIN,
  cache_clean: ADMIN,
  cache_prune: ADMIN,
  // Beyond Glance: GET /v2/info/plugins, the import plugins and their load errors (operator console).
  get_import_plugins: ADMIN,
  // Beyond Glance: GET /v2/info/usage/projects, every project's usage against its limits.
  get_projects_usage: ADMIN,
});
