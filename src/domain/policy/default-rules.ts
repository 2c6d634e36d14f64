/**
 * The default policy, as rule strings in the oslo.policy language: Glance's secure-RBAC
 * defaults for every image, member, location, cache, task and metadef action (so a Glance
 * policy.yaml carries over), plus the actions of Imago's own APIs. An operator's policy file
 * overrides single entries (see policy-document.ts).
 *
 * Readers may read their project's things, members may change them, admins may do anything;
 * `%(project_id)s` is the owner of the target, `%(member_id)s` the caller's project when it
 * is a member of the (shared) image. Whether an image is visible at all is decided before
 * these rules (see policy-target.ts), as Glance does in its database layer.
 */

/** Rules that actions refer to; they are not actions themselves. */
export const HELPER_RULES = {
  default: '',
  context_is_admin: 'role:admin',
  service_api: 'role:service or role:admin',
  metadef_default: '',
  metadef_admin: 'rule:context_is_admin',
} as const;

const ADMIN = 'rule:context_is_admin';
const PROJECT_MEMBER = 'role:member and project_id:%(project_id)s';
const PROJECT_READER = 'role:reader and project_id:%(project_id)s';
const ADMIN_OR_PROJECT_MEMBER = `${ADMIN} or (${PROJECT_MEMBER})`;
const ADMIN_OR_PROJECT_READER = `${ADMIN} or (${PROJECT_READER})`;
const VISIBLE_BY_ROLE = (role: string) => `${ADMIN} or (role:${role} and (project_id:%(project_id)s or project_id:%(member_id)s`
  + " or 'community':%(visibility)s or 'public':%(visibility)s or 'shared':%(visibility)s))";
/** Without parentheses around the `and`, as Glance writes it: `and` binds tighter than `or`. */
const ADMIN_OR_READER_OF_OWNER_OR_MEMBER = `${ADMIN} or role:reader and (project_id:%(project_id)s or project_id:%(member_id)s)`;
const ADMIN_OR_SHARED_MEMBER = `${ADMIN} or (role:member and project_id:%(member_id)s)`;
const ADMIN_OR_READER_OF_NAMESPACE = `${ADMIN} or (role:reader and (project_id:%(project_id)s or 'public':%(visibility)s))`;
const METADEF_ADMIN = 'rule:metadef_admin';

export const IMAGE_RULES = {
  add_image: `${ADMIN} or (${PROJECT_MEMBER} and project_id:%(owner)s)`,
  get_image: VISIBLE_BY_ROLE('reader'),
  get_images: ADMIN_OR_PROJECT_READER,
  modify_image: ADMIN_OR_PROJECT_MEMBER,
  delete_image: ADMIN_OR_PROJECT_MEMBER,
  upload_image: ADMIN_OR_PROJECT_MEMBER,
  download_image: VISIBLE_BY_ROLE('member'),
  publicize_image: ADMIN,
  communitize_image: ADMIN_OR_PROJECT_MEMBER,
  // Glance's current defaults (older releases said admin only): the owner's members may
  // (de|re)activate, and Tempest's image tests rely on it. A policy file can restrict it.
  deactivate: ADMIN_OR_PROJECT_MEMBER,
  reactivate: ADMIN_OR_PROJECT_MEMBER,
  copy_image: ADMIN,
  get_image_location: ADMIN_OR_PROJECT_READER,
  set_image_location: ADMIN_OR_PROJECT_MEMBER,
  delete_image_location: ADMIN,
  add_image_location: `rule:service_api or (${PROJECT_MEMBER})`,
  fetch_image_location: 'rule:service_api',
  manage_image_cache: ADMIN,
  cache_image: ADMIN,
  cache_list: ADMIN,
  cache_delete: ADMIN,
  add_member: ADMIN_OR_PROJECT_MEMBER,
  get_member: ADMIN_OR_READER_OF_OWNER_OR_MEMBER,
  get_members: ADMIN_OR_READER_OF_OWNER_OR_MEMBER,
  modify_member: ADMIN_OR_SHARED_MEMBER,
  delete_member: ADMIN_OR_PROJECT_MEMBER,
} as const;

/** Glance's legacy tasks API: the blanket tasks_api_access guards it; the rest are internal. */
export const TASK_RULES = {
  tasks_api_access: ADMIN,
  get_task: 'rule:default',
  get_tasks: 'rule:default',
  add_task: 'rule:default',
  modify_task: 'rule:default',
} as const;

export const METADEF_RULES = {
  get_metadef_namespace: ADMIN_OR_READER_OF_NAMESPACE,
  get_metadef_namespaces: ADMIN_OR_PROJECT_READER,
  add_metadef_namespace: METADEF_ADMIN,
  modify_metadef_namespace: METADEF_ADMIN,
  delete_metadef_namespace: METADEF_ADMIN,
  get_metadef_object: ADMIN_OR_READER_OF_NAMESPACE,
  get_metadef_objects: ADMIN_OR_READER_OF_NAMESPACE,
  add_metadef_object: METADEF_ADMIN,
  modify_metadef_object: METADEF_ADMIN,
  delete_metadef_object: METADEF_ADMIN,
  list_metadef_resource_types: ADMIN_OR_PROJECT_READER,
  get_metadef_resource_type: ADMIN_OR_READER_OF_NAMESPACE,
  add_metadef_resource_type_association: METADEF_ADMIN,
  remove_metadef_resource_type_association: METADEF_ADMIN,
  get_metadef_property: ADMIN_OR_READER_OF_NAMESPACE,
  get_metadef_properties: ADMIN_OR_READER_OF_NAMESPACE,
  add_metadef_property: METADEF_ADMIN,
  modify_metadef_property: METADEF_ADMIN,
  remove_metadef_property: METADEF_ADMIN,
  get_metadef_tag: ADMIN_OR_READER_OF_NAMESPACE,
  get_metadef_tags: ADMIN_OR_READER_OF_NAMESPACE,
  add_metadef_tag: METADEF_ADMIN,
  add_metadef_tags: METADEF_ADMIN,
  modify_metadef_tag: METADEF_ADMIN,
  delete_metadef_tag: METADEF_ADMIN,
  delete_metadef_tags: METADEF_ADMIN,
} as const;

/** Imago's own APIs: owner changes, quotas and the identity service. */
export const IMAGO_RULES = {
  set_image_owner: ADMIN,
  // A project's own usage; the target's project_id is the caller's unless one is named.
  get_usage: ADMIN_OR_PROJECT_READER,
  get_quotas: ADMIN,
  manage_quotas: ADMIN,
  'identity:manage': ADMIN,
  // A caller's own tokens, user record and application credentials.
  'identity:self': `${ADMIN} or user_id:%(user_id)s`,
  // The catalog (docs/catalog.md): standard images and family retention are the operator's
  // (admins, or a `publisher` role); an image's own project deprecates it.
  'imago:publish_standard': `${ADMIN} or role:publisher`,
  'imago:force_delete_image': ADMIN,
  'imago:deprecate_image': ADMIN_OR_PROJECT_MEMBER,
  'imago:get_families': ADMIN_OR_PROJECT_READER,
  'imago:manage_retention': `${ADMIN} or role:publisher`,
  'imago:get_required_properties': ADMIN_OR_PROJECT_READER,
  'imago:manage_required_properties': ADMIN,
} as const;

export const ACTION_RULES = { ...IMAGE_RULES, ...TASK_RULES, ...METADEF_RULES, ...IMAGO_RULES } as const;
