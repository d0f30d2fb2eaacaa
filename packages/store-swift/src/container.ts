import type { Endpoint } from './auth.js';
import { swiftErrors } from './errors.js';
import { readJson } from './http.js';
import type { SwiftSession } from './session.js';

/** `<storage url>/<container>[/<object>][?query]`, each name percent-encoded. */
export function urlOf(ep: Endpoint, container: string, object?: string, query?: Record<string, string>): URL {
  const url = new URL(`${ep.storageUrl}/${encodeURIComponent(container)}${object === undefined ? '' : `/${encodeURIComponent(object)}`}`);
  for (const [k, v] of Object.entries(query ?? {})) url.searchParams.set(k, v);
  return url;
}

/** Whether the container exists (HEAD); other answers are errors. */
export async function containerExists(session: SwiftSession, container: string): Promise<boolean> {
  const operation = `HEAD container ${container}`;
  const head = await session.request(operation, (ep) => ({ method: 'HEAD', url: urlOf(ep, container) }));
  if (head.status !== 204 && head.status !== 200 && head.status !== 404) throw await session.refusal(operation, head);
  head.discard();
  return head.status !== 404;
}

/**
 * Makes sure the container exists, as glance_store's _create_container_if_missing: when missing,
 * create it if `create` (swift_store_create_container_on_put), else fail naming the option.
 */
export async function ensureContainer(session: SwiftSession, container: string, create: boolean): Promise<void> {
  if (await containerExists(session, container)) return;
  if (!create) throw swiftErrors.error('GI_SWIFT_NO_CONTAINER', { store: session.store, container });
  const operation = `PUT container ${container}`;
  const put = await session.request(operation, (ep) => ({ method: 'PUT', url: urlOf(ep, container) }));
  if (put.status !== 201 && put.status !== 202) throw await session.refusal(operation, put);
  put.discard();
}

/** Names in `container` starting with `prefix`, every page of the listing. */
export async function listNames(session: SwiftSession, container: string, prefix: string): Promise<string[]> {
  const names: string[] = [];
  for await (const page of listPages(session, container, prefix)) names.push(...page);
  return names;
}

/**
 * The listing of `container` (or, with `container` undefined, the account's containers) starting
 * with `prefix`, one page of at most `limit` names at a time, each page asked for after the last
 * name of the one before: nothing but a page is held. A missing container lists nothing.
 */
export async function* listPages(session: SwiftSession, container: string | undefined, prefix: string, limit = 1000): AsyncGenerator<string[]> {
  const operation = container === undefined ? 'GET account' : `GET container ${container}`;
  for (let marker = ''; ;) {
    const query = { format: 'json', prefix, limit: String(limit), ...(marker ? { marker } : {}) };
    const res = await session.request(operation, (ep) => ({
      method: 'GET',
      url: container === undefined ? accountUrl(ep, query) : urlOf(ep, container, undefined, query),
    }));
    if (res.status === 404 || res.status === 204) {
      res.discard();
      return;
    }
    if (res.status !== 200) throw await session.refusal(operation, res);
    const page = ((await readJson(res)) as Array<{ name: string }>).map((o) => o.name);
    if (page.length === 0) return;
    yield page;
    marker = page.at(-1)!;
  }
}

function accountUrl(ep: Endpoint, query: Record<string, string>): URL {
  const url = new URL(ep.storageUrl);
  for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
  return url;
}

/** Deletes objects, a few at a time; one already gone is fine. */
export async function deleteNames(session: SwiftSession, container: string, names: readonly string[], parallel = 4): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < names.length) {
      const name = names[next++]!;
      const res = await session.request(`DELETE object ${container}/${name}`, (ep) => ({ method: 'DELETE', url: urlOf(ep, container, name) }));
      if (res.status !== 204 && res.status !== 200 && res.status !== 404) throw await session.refusal(`DELETE object ${container}/${name}`, res);
      res.discard();
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, names.length) }, worker));
}
