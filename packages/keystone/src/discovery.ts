import { keystoneError } from './errors.js';
import { json, redact, request, type HttpOptions } from './http.js';

const VERSIONED = /\/v3(\.\d+)?\/?$/;
const USABLE = new Set(['stable', 'current', 'supported']);

interface VersionDoc {
  id?: unknown;
  status?: unknown;
  links?: Array<{ rel?: unknown; href?: unknown }>;
}

/**
 * The Identity v3 base URL behind `url`, as keystoneauth's discovery finds it: a URL that already
 * names v3 is used as it is; otherwise `GET url` answers Keystone's version list (300) or one
 * version (200), and the `self` link of its v3 entry is the base.
 */
export async function discoverV3(url: string, http: HttpOptions): Promise<string> {
  const base = url.replace(/\/+$/, '');
  if (VERSIONED.test(base)) return base;
  const answer = await request('GET', base, {}, undefined, http);
  if (answer.status !== 200 && answer.status !== 300)
    throw keystoneError('GI_KEYSTONE_BAD_ANSWER', { url: redact(base), reason: `${answer.status} to version discovery` });
  const doc = json(answer, base);
  const versions = doc.versions as { values?: VersionDoc[] } | VersionDoc[] | undefined;
  const list: VersionDoc[] = Array.isArray(versions) ? versions : (versions?.values ?? (doc.version ? [doc.version as VersionDoc] : []));
  const v3 = list.find((v) => typeof v.id === 'string' && /^v3(\.\d+)?$/.test(v.id) && USABLE.has(String(v.status).toLowerCase()));
  const href = v3?.links?.find((l) => l.rel === 'self')?.href;
  if (typeof href !== 'string') throw keystoneError('GI_KEYSTONE_BAD_ANSWER', { url: redact(base), reason: 'a version list without a usable Identity v3 API' });
  return href.replace(/\/+$/, '');
}
