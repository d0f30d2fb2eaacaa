import { reasonOf } from '@glance-import/errors';
import type { SwiftAccess, SwiftAccount } from './account.js';
import { swiftErrors } from './errors.js';
import { errorReason, NetworkError, readJson, readText, type HttpResponse, type Transport } from './http.js';

/** A logged-in session: where the account lives and the token that opens it. */
export interface Endpoint {
  readonly token: string;
  /** The account's storage URL, `http://host:8080/v1/AUTH_test`, without a trailing slash. */
  readonly storageUrl: string;
  /** When the token expires (ms since the epoch); Infinity when the server did not say. */
  readonly expiresAt: number;
}

/** Logs in to the account with its auth version; errors name the options, never their values. */
export async function login(transport: Transport, account: SwiftAccount, access: SwiftAccess, signal?: AbortSignal): Promise<Endpoint> {
  const endpoint = account.authVersion === '1' ? await loginV1(transport, account, access, signal) : await loginV3(transport, account, access, signal);
  return access.endpoint ? { ...endpoint, storageUrl: access.endpoint } : endpoint;
}

async function call(transport: Transport, account: SwiftAccount, access: SwiftAccess, request: Parameters<Transport['send']>[0]): Promise<HttpResponse> {
  try {
    return await transport.send(request);
  } catch (e) {
    if (request.signal?.aborted) throw e;
    const reason = e instanceof NetworkError ? (e.code ?? e.message) : reasonOf(e);
    throw swiftErrors.error('GI_SWIFT_UNREACHABLE', { store: access.store, option: account.origin.address, url: safeUrl(request.url), reason });
  }
}

async function refused(res: HttpResponse, account: SwiftAccount, access: SwiftAccess, url: URL): Promise<never> {
  const text = await readText(res);
  if (res.status === 401 || res.status === 403) {
    throw swiftErrors.error('GI_SWIFT_AUTH_FAILED', { store: access.store, url: safeUrl(url), status: res.status, options: account.origin.credentials });
  }
  throw swiftErrors.error('GI_SWIFT_REQUEST_FAILED', {
    store: access.store,
    operation: `login at ${safeUrl(url)}`,
    status: res.status,
    reason: errorReason(text),
  });
}

/** tempauth / swauth: `GET <auth_address>` with X-Auth-User and X-Auth-Key. */
async function loginV1(transport: Transport, account: SwiftAccount, access: SwiftAccess, signal?: AbortSignal): Promise<Endpoint> {
  const url = new URL(account.authAddress);
  const res = await call(transport, account, access, {
    method: 'GET',
    url,
    headers: { 'x-auth-user': account.user ?? '', 'x-auth-key': account.key ?? '' },
    signal,
  });
  if (res.status !== 200 && res.status !== 204) return refused(res, account, access, url);
  res.discard();
  const token = header(res, 'x-auth-token') ?? header(res, 'x-storage-token');
  const storageUrl = header(res, 'x-storage-url');
  if (!token || !storageUrl) {
    throw swiftErrors.error('GI_SWIFT_REQUEST_FAILED', {
      store: access.store,
      operation: `login at ${safeUrl(url)}`,
      status: res.status,
      reason: 'no X-Auth-Token or X-Storage-Url in the answer',
    });
  }
  const seconds = Number(header(res, 'x-auth-token-expires'));
  return { token, storageUrl: storageUrl.replace(/\/+$/, ''), expiresAt: Number.isFinite(seconds) && seconds > 0 ? Date.now() + seconds * 1000 : Infinity };
}

/** Keystone v3: a project-scoped password token (or an application credential), and the catalog's Swift endpoint. */
async function loginV3(transport: Transport, account: SwiftAccount, access: SwiftAccess, signal?: AbortSignal): Promise<Endpoint> {
  const base = account.authAddress.replace(/\/+$/, '');
  const url = new URL(`${/\/v3$/.test(base) ? base : `${base}/v3`}/auth/tokens`);
  const domain = (id?: string, name?: string) => (id ? { id } : name ? { name } : { id: 'default' });
  let auth: unknown;
  if (account.applicationCredentialId) {
    auth = {
      identity: {
        methods: ['application_credential'],
        application_credential: { id: account.applicationCredentialId, secret: account.applicationCredentialSecret },
      },
    };
  } else {
    // glance_store splits `project:user`, as swiftclient's tenant_name and user.
    const [project, user] = (account.user ?? '').split(':');
    auth = {
      identity: {
        methods: ['password'],
        password: { user: { name: user, domain: domain(account.userDomainId, account.userDomainName), password: account.key } },
      },
      scope: {
        project: account.projectId
          ? { id: account.projectId }
          : { name: account.projectName ?? project, domain: domain(account.projectDomainId, account.projectDomainName) },
      },
    };
  }
  const res = await call(transport, account, access, {
    method: 'POST',
    url,
    headers: { 'content-type': 'application/json' },
    body: Buffer.from(JSON.stringify({ auth })),
    signal,
  });
  if (res.status !== 201 && res.status !== 200) return refused(res, account, access, url);
  const token = header(res, 'x-subject-token');
  const body = (await readJson(res)) as { token?: { expires_at?: string; catalog?: CatalogEntry[] } };
  const expiresAt = Date.parse(body.token?.expires_at ?? '');
  const storageUrl = access.endpoint ?? findEndpoint(body.token?.catalog ?? [], access);
  if (!token)
    throw swiftErrors.error('GI_SWIFT_REQUEST_FAILED', {
      store: access.store,
      operation: `login at ${safeUrl(url)}`,
      status: res.status,
      reason: 'no X-Subject-Token in the answer',
    });
  return { token, storageUrl: storageUrl.replace(/\/+$/, ''), expiresAt: Number.isFinite(expiresAt) ? expiresAt : Infinity };
}

interface CatalogEntry {
  type?: string;
  endpoints?: Array<{ interface?: string; region?: string; region_id?: string; url?: string }>;
}

function findEndpoint(catalog: CatalogEntry[], access: SwiftAccess): string {
  for (const service of catalog) {
    if (service.type !== access.serviceType) continue;
    const found = service.endpoints?.find(
      (e) => e.interface === access.interface && (!access.region || e.region_id === access.region || e.region === access.region),
    );
    if (found?.url) return found.url;
  }
  const endpointType = { public: 'publicURL', internal: 'internalURL', admin: 'adminURL' }[access.interface];
  throw swiftErrors.error('GI_SWIFT_NO_ENDPOINT', {
    store: access.store,
    serviceType: access.serviceType,
    endpointType,
    ...(access.region ? { region: access.region } : {}),
  });
}

function header(res: HttpResponse, name: string): string | undefined {
  const v = res.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** A URL for messages: no user info, no query. */
export function safeUrl(url: URL): string {
  return `${url.protocol}//${url.host}${url.pathname}`;
}
