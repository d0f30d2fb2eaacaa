import { normalizeCatalog, type ServiceCatalog } from './catalog.js';

/** An application credential's access rule: what its token may call (Keystone's access_rules). */
export interface AccessRule {
  readonly service: string;
  readonly method: string;
  readonly path: string;
}

/**
 * What a Keystone v3 token says, read from `POST` or `GET /v3/auth/tokens` the way keystoneauth1's
 * AccessInfoV3 reads it: the headers keystonemiddleware sets come from these fields.
 */
export interface TokenInfo {
  readonly userId: string;
  readonly userName: string | undefined;
  readonly userDomainId: string | undefined;
  readonly userDomainName: string | undefined;
  readonly projectId: string | undefined;
  readonly projectName: string | undefined;
  readonly projectDomainId: string | undefined;
  readonly projectDomainName: string | undefined;
  /** Set for a domain-scoped token. */
  readonly domainId: string | undefined;
  readonly domainName: string | undefined;
  /** `all` for a system-scoped token. */
  readonly systemScope: string | undefined;
  /** Role names as Keystone lists them (implied roles included, Keystone's order). */
  readonly roles: readonly string[];
  /** `is_admin_project`, true when Keystone leaves it out (no admin project configured). */
  readonly isAdminProject: boolean;
  readonly expiresAt: Date;
  readonly auditIds: readonly string[];
  /** Present when Keystone sent one (include_service_catalog). */
  readonly catalog: ServiceCatalog | undefined;
  /** Set for an application credential's token that carries access rules. */
  readonly accessRules: readonly AccessRule[] | undefined;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const obj = (v: unknown): Record<string, unknown> => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {});

/** Read a `{"token": {...}}` document; undefined when it is not one (no user, no expiry). */
export function readToken(doc: Record<string, unknown>): TokenInfo | undefined {
  const t = obj(doc.token);
  const user = obj(t.user);
  const userId = str(user.id);
  const expiresAt = typeof t.expires_at === 'string' ? new Date(t.expires_at) : undefined;
  if (!userId || !expiresAt || Number.isNaN(expiresAt.getTime())) return undefined;
  const project = obj(t.project);
  const domain = obj(t.domain);
  const system = obj(t.system);
  const roles = Array.isArray(t.roles) ? t.roles.map((r) => str(obj(r).name)).filter((r): r is string => r !== undefined) : [];
  const rules = obj(t.application_credential).access_rules;
  return {
    userId,
    userName: str(user.name),
    userDomainId: str(obj(user.domain).id),
    userDomainName: str(obj(user.domain).name),
    projectId: str(project.id),
    projectName: str(project.name),
    projectDomainId: str(obj(project.domain).id),
    projectDomainName: str(obj(project.domain).name),
    domainId: str(domain.id),
    domainName: str(domain.name),
    systemScope: system.all === true ? 'all' : undefined,
    roles,
    isAdminProject: typeof t.is_admin_project === 'boolean' ? t.is_admin_project : true,
    expiresAt,
    auditIds: Array.isArray(t.audit_ids) ? t.audit_ids.filter((a): a is string => typeof a === 'string') : [],
    catalog: Array.isArray(t.catalog) ? normalizeCatalog(t.catalog) : undefined,
    accessRules: Array.isArray(rules)
      ? rules.map((r) => obj(r)).map((r) => ({ service: String(r.service ?? ''), method: String(r.method ?? ''), path: String(r.path ?? '') }))
      : undefined,
  };
}

/** How a token is scoped, for messages. */
export function scopeOf(t: TokenInfo): string {
  if (t.projectId) return `scoped to project ${t.projectName ?? t.projectId}`;
  if (t.domainId) return `scoped to domain ${t.domainName ?? t.domainId}`;
  if (t.systemScope) return `scoped to the system (${t.systemScope})`;
  return 'unscoped';
}
