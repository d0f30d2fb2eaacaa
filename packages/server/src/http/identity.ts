import type { Database } from '@glance-import/db';
import type { ConfigNotice } from '@glance-import/core';
import type { IdentityConfig, IdentityMode, ServiceCatalog } from '@glance-import/keystone';
import type { PolicyEnforcer } from '@glance-import/policy';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { giError } from '../errors.js';
import { keystoneIdentity } from './keystone-identity.js';

/** Who is calling: from a token of the data dir, from a trusted fronting proxy's headers, or from Keystone. */
export interface CallerIdentity {
  userId: string;
  projectId: string;
  roles: string[];
  isAdmin: boolean;
  /** The token the caller sent (kept to replay calls to other nodes). */
  token?: string;
  /** The caller's service catalog (Keystone mode), as Glance keeps `context.service_catalog`. */
  catalog?: ServiceCatalog;
  /** The other values oslo.context gives oslo.policy (Keystone mode): domains, scope, service identity. */
  policyValues?: Readonly<Record<string, unknown>>;
}

/** How the server learns who calls, chosen once by the config. */
export interface Identity {
  readonly mode: IdentityMode;
  /** One line for the banner and logs. */
  readonly describe: string;
  /** Options written but not acted on. */
  readonly notices: readonly ConfigNotice[];
  /**
   * The caller, or undefined when the answer was already sent (keystonemiddleware's own 401).
   * Throws a coded error (401, 403, 503) otherwise.
   */
  identify(request: FastifyRequest, reply: FastifyReply): Promise<CallerIdentity | undefined>;
  /** Warm up (Keystone: the service token), logging what fails; never throws. */
  start(): Promise<void>;
}

export interface IdentityOptions {
  /** The mode the config chose, and its Keystone settings (`identityConfig`). */
  chosen: IdentityConfig;
  db: Database;
  policy: PolicyEnforcer;
  log: Logger;
}

export const header = (r: FastifyRequest, name: string): string | undefined => {
  const v = r.headers[name];
  return Array.isArray(v) ? v[0] : v;
};

/** `[paste_deploy] flavor` (or `[glance_import] trusted_identity_headers`) picks one mode. */
export function createIdentity(o: IdentityOptions): Identity {
  const { chosen } = o;
  if (chosen.mode === 'keystone') return keystoneIdentity({ settings: chosen.keystone!, policy: o.policy, log: o.log, notices: chosen.notices });
  const trusted = chosen.mode === 'trusted-auth';
  return {
    mode: chosen.mode,
    describe: trusted ? 'trusted headers of a fronting proxy (X-Identity-Status: Confirmed)' : 'tokens of the data dir (`glance-import token create`)',
    notices: chosen.notices,
    identify: async (request) => ownIdentity(request, { db: o.db, trustIdentityHeaders: trusted }),
    start: async () => {},
  };
}

async function ownIdentity(request: FastifyRequest, opts: { db: Database; trustIdentityHeaders: boolean }): Promise<CallerIdentity> {
  if (opts.trustIdentityHeaders && header(request, 'x-identity-status') === 'Confirmed') {
    const userId = header(request, 'x-user-id');
    const projectId = header(request, 'x-project-id') ?? header(request, 'x-tenant-id');
    if (!userId || !projectId) throw giError('GI_API_UNAUTHENTICATED', { reason: 'trusted identity headers lack X-User-Id or X-Project-Id' });
    const roles = (header(request, 'x-roles') ?? '')
      .split(',')
      .map((r) => r.trim())
      .filter(Boolean);
    return { userId, projectId, roles, isAdmin: roles.includes('admin') };
  }
  const token = header(request, 'x-auth-token');
  if (!token) throw giError('GI_API_UNAUTHENTICATED', { reason: 'no X-Auth-Token header' });
  const info = await opts.db.tokens.verify(token);
  if (!info) throw giError('GI_API_UNAUTHENTICATED', { reason: 'the token is unknown or expired' });
  return { userId: info.userId, projectId: info.projectId, roles: info.roles, isAdmin: info.roles.includes('admin'), token };
}
