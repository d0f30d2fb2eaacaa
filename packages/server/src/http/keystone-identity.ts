import type { ConfigNotice } from '@glance-import/core';
import { KeystoneAuth, keystoneErrors, scopeOf, type KeystoneSettings, type TokenInfo } from '@glance-import/keystone';
import type { PolicyEnforcer } from '@glance-import/policy';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { header, type CallerIdentity, type Identity } from './identity.js';

/** keystonemiddleware's own 401 body (delay_auth_decision = false). */
const REJECTION = JSON.stringify({ error: { code: 401, title: 'Unauthorized', message: 'The request you have made requires authentication.' } });

/**
 * Keystone mode: each request's token validated as keystonemiddleware's auth_token does, then the
 * request context built as Glance's ContextMiddleware builds it from the headers auth_token sets.
 */
export function keystoneIdentity(o: { settings: KeystoneSettings; policy: PolicyEnforcer; log: Logger; notices: readonly ConfigNotice[] }): Identity {
  const { settings, policy, log } = o;
  const auth = new KeystoneAuth(settings);
  const challenge = `Keystone uri="${settings.wwwAuthenticateUri}"`;
  const cache = settings.tokenCacheTime < 0 ? 'not cached' : settings.tokenCacheTime === 0 ? 'cached until they expire' : `cached ${settings.tokenCacheTime} s`;
  return {
    mode: 'keystone',
    describe: `Keystone at ${settings.authUrl} (service user ${settings.credentials.describe}; tokens ${cache})`,
    notices: o.notices,
    async start() {
      try {
        const own = await auth.serviceToken();
        log.info({ identity_url: own.identityUrl }, `authenticated to Keystone as ${settings.credentials.describe}`);
      } catch (err) {
        log.warn({ err, error_code: (err as { code?: string }).code }, 'Keystone cannot authenticate the service yet; requests get 503 until it can');
      }
    },
    async identify(request: FastifyRequest, reply: FastifyReply): Promise<CallerIdentity | undefined> {
      let result;
      try {
        result = await auth.authenticate({
          userToken: header(request, 'x-auth-token') ?? header(request, 'x-storage-token'),
          serviceToken: header(request, 'x-service-token'),
          method: request.method,
          path: request.url.split('?')[0]!,
        });
      } catch (err) {
        if (keystoneErrors.is(err)) request.log.warn({ error_code: err.code }, err.message);
        throw err;
      }
      if (!result.user || (result.serviceStatus === 'Invalid' && !settings.delayAuthDecision)) {
        // keystonemiddleware adds its challenge to every 401 the request ends with.
        reply.header('WWW-Authenticate', challenge);
        if (!settings.delayAuthDecision) {
          await reply.code(401).type('application/json').send(REJECTION);
          return undefined;
        }
        // Glance's ContextMiddleware looks only at the user's X-Identity-Status.
        throw keystoneErrors.error('GI_KEYSTONE_TOKEN_INVALID', { reason: result.reason });
      }
      const user = result.user;
      if (!user.projectId) throw keystoneErrors.error('GI_KEYSTONE_UNSCOPED_TOKEN', { scope: scopeOf(user) });
      return callerOf(
        user,
        result.serviceStatus === 'Confirmed' ? result.service : undefined,
        header(request, 'x-auth-token') ?? header(request, 'x-storage-token')!,
        policy,
      );
    },
  };
}

/**
 * Glance's RequestContext from auth_token's headers: roles lowercased (Glance does), `is_admin` from
 * the `context_is_admin` rule, and oslo.context's other policy values (plus Glance's `user` and
 * `tenant`), so a policy.yaml naming domains or the service user works as in Glance.
 */
function callerOf(user: TokenInfo, service: TokenInfo | undefined, token: string, policy: PolicyEnforcer): CallerIdentity {
  const roles = user.roles.map((r) => r.toLowerCase());
  const policyValues: Record<string, unknown> = {
    user_domain_id: user.userDomainId ?? null,
    project_domain_id: user.projectDomainId ?? null,
    domain_id: user.domainId ?? null,
    system_scope: user.systemScope ?? null,
    is_admin_project: user.isAdminProject,
    service_user_id: service?.userId ?? null,
    service_user_domain_id: service?.userDomainId ?? null,
    service_project_id: service?.projectId ?? null,
    service_project_domain_id: service?.projectDomainId ?? null,
    service_roles: service?.roles ?? [],
    user: user.userId,
    tenant: user.projectId,
  };
  const isAdmin = policy.check(
    'context_is_admin',
    { project_id: user.projectId, user_id: user.userId },
    { ...policyValues, user_id: user.userId, project_id: user.projectId!, roles },
  );
  return {
    userId: user.userId,
    projectId: user.projectId!,
    roles,
    isAdmin,
    token: token.trim(),
    ...(user.catalog ? { catalog: user.catalog } : {}),
    policyValues,
  };
}
