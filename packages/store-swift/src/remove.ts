import { deleteNames, listNames, urlOf } from './container.js';
import { segmentPrefix } from './location.js';
import { headObject } from './read.js';
import type { SwiftSession } from './session.js';

/**
 * Deletes an image's object and all its segments. The manifest goes first, so nothing half-deleted
 * is ever readable; then the segments its X-Object-Manifest names (a DLO) or Swift's own
 * `multipart-manifest=delete` (an SLO); then any `<object>-*` left by a write that failed while Swift
 * was away. Missing data is fine; a retry after a failure finishes the job.
 */
export async function removeObject(session: SwiftSession, container: string, object: string): Promise<void> {
  const head = await headObject(session, container, object);
  const dlo = head?.['x-object-manifest'];
  const slo = String(head?.['x-static-large-object'] ?? '').toLowerCase() === 'true';
  if (head) {
    const operation = `DELETE object ${container}/${object}`;
    const res = await session.request(operation, (ep) => ({
      method: 'DELETE',
      url: urlOf(ep, container, object, slo ? { 'multipart-manifest': 'delete' } : undefined),
    }));
    if (res.status !== 204 && res.status !== 200 && res.status !== 404) throw await session.refusal(operation, res);
    res.discard();
  }
  if (typeof dlo === 'string' && dlo.includes('/')) {
    const [segContainer, prefix] = splitManifest(dlo);
    if (segContainer !== container || prefix !== segmentPrefix(object)) {
      await deleteNames(session, segContainer, await listNames(session, segContainer, prefix));
    }
  }
  await removeSegments(session, container, object);
}

/** Deletes every `<object>-*` of `container`: the segments of this object, written or left behind. */
export async function removeSegments(session: SwiftSession, container: string, object: string): Promise<void> {
  await deleteNames(session, container, await listNames(session, container, segmentPrefix(object)));
}

/** `X-Object-Manifest: <container>/<prefix>`, percent-encoded as Swift accepts it. */
function splitManifest(value: string): [string, string] {
  const at = value.indexOf('/');
  return [decodeURIComponent(value.slice(0, at)), decodeURIComponent(value.slice(at + 1))];
}
