/** Who is asking: the values oslo.context hands to oslo.policy (`to_policy_values()`), plus any extras. */
export interface Credentials {
  user_id: string;
  project_id: string;
  roles: readonly string[];
  /** Glance's `context.is_admin`; left out, it is worked out from the `context_is_admin` rule. */
  is_admin?: boolean;
  [k: string]: unknown;
}

/**
 * Keystone's default implied roles: admin ⊃ member ⊃ reader. Keystone expands them into the token;
 * our token store does not, so a member would fail every `role:reader` check without this.
 */
const IMPLIES: Readonly<Record<string, readonly string[]>> = {
  admin: ['member', 'reader'],
  member: ['reader'],
};

/** The roles plus those they imply, original spelling first, each name once (case-insensitively). */
export function impliedRoles(roles: readonly string[]): string[] {
  const out = [...roles];
  const seen = new Set(roles.map((r) => r.toLowerCase()));
  for (const role of roles) {
    for (const implied of IMPLIES[role.toLowerCase()] ?? []) {
      if (!seen.has(implied)) {
        seen.add(implied);
        out.push(implied);
      }
    }
  }
  return out;
}

/** Glance's `context.elevated()`: the admin role added and `is_admin` set, e.g. for copy-image's repo. */
export function elevate(creds: Credentials): Credentials {
  const hasAdmin = creds.roles.some((r) => r.toLowerCase() === 'admin');
  return { ...creds, roles: hasAdmin ? creds.roles : [...creds.roles, 'admin'], is_admin: true };
}
