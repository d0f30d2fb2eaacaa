import { def, defineErrors } from '@glance-import/errors';

const UNAVAILABLE_HINT = 'Requests are refused with 503 until Keystone answers again; check that it runs and that [keystone_authtoken] auth_url reaches it.';

/** The codes of @glance-import/keystone. A Keystone problem on our side is a 503, never a 500 and never a request let through. */
export const keystoneErrors = defineErrors('GI_KEYSTONE_', {
  GI_KEYSTONE_TOKEN_INVALID: def<{ reason: string }>({
    status: 401,
    message: (p) => `The request you have made requires authentication: ${p.reason}.`,
    hint: 'Get a new token from Keystone (`openstack token issue`) and send it as X-Auth-Token.',
  }),
  GI_KEYSTONE_UNSCOPED_TOKEN: def<{ scope: string }>({
    status: 403,
    message: (p) => `The token is ${p.scope}; the Image API needs a token scoped to a project.`,
    hint: 'Ask Keystone for a project-scoped token (OS_PROJECT_NAME and OS_PROJECT_DOMAIN_NAME with the openstack CLI).',
  }),
  GI_KEYSTONE_UNREACHABLE: def<{ url: string; reason: string }>({
    status: 503,
    message: (p) => `The Keystone service is temporarily unavailable: ${p.url} did not answer (${p.reason}).`,
    hint: UNAVAILABLE_HINT,
  }),
  GI_KEYSTONE_BAD_ANSWER: def<{ url: string; reason: string }>({
    status: 503,
    message: (p) => `The Keystone service is temporarily unavailable: ${p.url} answered ${p.reason}.`,
    hint: UNAVAILABLE_HINT,
  }),
  GI_KEYSTONE_CREDENTIALS_REFUSED: def<{ url: string; user: string; reason: string }>({
    status: 503,
    message: (p) => `The Keystone service is temporarily unavailable: ${p.url} refused the service credentials of ${p.user} (${p.reason}).`,
    hint: 'Check username, password, user_domain_name, project_name and project_domain_name in [keystone_authtoken]; `glance-import config check` tries them.',
  }),
  GI_KEYSTONE_VALIDATION_REFUSED: def<{ url: string; user: string; status: number }>({
    status: 503,
    message: (p) => `The Keystone service is temporarily unavailable: ${p.url} answered ${p.status} when ${p.user} asked it to validate a token.`,
    hint: "The service user needs a role Keystone's identity:validate_token rule accepts (admin or service in the service project).",
  }),
  GI_KEYSTONE_NO_ENDPOINT: def<{ type: string; interface: string; region?: string }>({
    status: 503,
    message: (p) =>
      `The Keystone service is temporarily unavailable: the service token's catalog has no ${p.interface} ${p.type} endpoint${p.region ? ` in region ${p.region}` : ''}.`,
    hint: 'Set [keystone_authtoken] interface (public, internal or admin) and region_name to an identity endpoint of the catalog (`openstack endpoint list --service identity`).',
  }),
  GI_KEYSTONE_OPTION_MISSING: def<{ option: string; why: string }>({
    message: (p) => `[keystone_authtoken] ${p.option} is required: ${p.why}.`,
    hint: 'Copy the [keystone_authtoken] section of your glance-api.conf; the README shows one under "Behind Keystone".',
  }),
  GI_KEYSTONE_OPTION_UNSUPPORTED: def<{ option: string; value: string; reason: string }>({
    message: (p) => `[keystone_authtoken] ${p.option} = ${p.value} is not supported: ${p.reason}.`,
    hint: "Use auth_type = password with the service user's credentials in [keystone_authtoken] itself.",
  }),
  GI_KEYSTONE_MODE_CONFLICT: def<{ flavor: string }>({
    message: (p) => `[paste_deploy] flavor = ${p.flavor} and [glance_import] trusted_identity_headers = true choose two identity modes.`,
    hint: 'Keep one: Keystone (flavor = keystone) or a trusted fronting proxy (flavor = trusted-auth, or trusted_identity_headers = true).',
  }),
});

export type KeystoneErrorCode = keyof typeof keystoneErrors.table;
export const keystoneError = keystoneErrors.error;
