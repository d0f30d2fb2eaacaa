import type { Database } from '@glance-import/db';
import { giError } from '../errors.js';
import type { FastifyRequest } from 'fastify';

/** Who is calling: from a token of the data dir, or from a trusted fronting proxy's headers. */
export interface CallerIdentity {
  userId: string;
  projectId: string;
  roles: string[];
  isAdmin: boolean;
  /** The token the caller sent (kept to replay calls to other nodes). */
  token?: string;
}

export interface IdentityOptions {
  db: Database;
  /** Accept X-Identity-Status/X-User-Id/X-Project-Id/X-Roles from a proxy that authenticated the caller. Off by default. */
  trustIdentityHeaders: boolean;
}

const header = (r: FastifyRequest, name: string) => {
  const v = r.headers[name];
  return Array.isArray(v) ? v[0] : v;
};

export async function identify(request: FastifyRequest, opts: IdentityOptions): Promise<CallerIdentity> {
  if (opts.trustIdentityHeaders && header(request, 'x-identity-status') === 'Confirmed') {
    const userId = header(request, 'x-user-id');
    const projectId = header(request, 'x-project-id') ?? header(request, 'x-tenant-id');
    if (!userId || !projectId) throw giError('GI_API_UNAUTHENTICATED', { reason: 'trusted identity headers lack X-User-Id or X-Project-Id' });
    const roles = (header(request, 'x-roles') ?? '').split(',').map((r) => r.trim()).filter(Boolean);
    return { userId, projectId, roles, isAdmin: roles.includes('admin') };
  }
  const token = header(request, 'x-auth-token');
  if (!token) throw giError('GI_API_UNAUTHENTICATED', { reason: 'no X-Auth-Token header' });
  const info = await opts.db.tokens.verify(token);
  if (!info) throw giError('GI_API_UNAUTHENTICATED', { reason: 'the token is unknown or expired' });
  return { userId: info.userId, projectId: info.projectId, roles: info.roles, isAdmin: info.roles.includes('admin'), token };
}
