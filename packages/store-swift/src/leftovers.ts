import { isUuid } from '@glance-import/store';
import { deleteNames, listNames, listPages } from './container.js';
import { segmentPrefix } from './location.js';
import { headObject } from './read.js';
import { removeObject } from './remove.js';
import type { SwiftSession } from './session.js';

/** `<image id>-NNNNN`: a segment this store (or glance_store) wrote. */
const SEGMENT = /^(.+)-\d{5}$/;

/**
 * Removes everything held under the image's name in `container`: its object (a manifest, complete
 * or not: a crash can come between the manifest's PUT and the location being recorded) and its
 * segments. The caller makes sure no recorded location points there. Returns `<container>/<name>`s.
 */
export async function discardImage(session: SwiftSession, container: string, object: string): Promise<string[]> {
  const names = (await listNames(session, container, object)).filter((n) => n === object || n.startsWith(segmentPrefix(object)));
  // The manifest first, so that nothing half-deleted is readable, and an SLO's segments with it.
  if (names.includes(object)) await removeObject(session, container, object);
  else await deleteNames(session, container, names);
  return names.map((n) => `${container}/${n}`);
}

/**
 * Removes, from each of `containers`, the segments of images that have no object (the manifest a
 * write puts last) and that `keep` does not claim (an import writing them now). Segments of a
 * complete image are never touched, whether a location records it or not. The listing is read a
 * page at a time; the segments of one image are contiguous in it (names sort), so they are removed
 * together once the listing moves past them.
 *
 * A write that starts after `keep` said no reuses the same segment names, and would lose the ones
 * removed after it wrote them; an import takes its lock long before it reaches the store-write
 * step, so `keep` is asked just before each image's segments are removed.
 */
export async function sweepSegments(
  session: SwiftSession,
  containers: AsyncIterable<string>,
  keep: (imageId: string) => Promise<boolean>,
  pageSize = 1000,
): Promise<string[]> {
  const removed: string[] = [];
  for await (const container of containers) {
    let whole: string | undefined; // the last image object listed: its segments follow it
    let group: { image: string; names: string[] } | undefined;
    const flush = async () => {
      const g = group;
      group = undefined;
      if (!g || g.image === whole || (await keep(g.image))) return;
      // The listing order is a hint; the object's own HEAD decides (it may have been written since).
      if (await headObject(session, container, g.image)) return;
      await deleteNames(session, container, g.names);
      removed.push(...g.names.map((n) => `${container}/${n}`));
    };
    for await (const page of listPages(session, container, '', pageSize)) {
      for (const name of page) {
        const image = SEGMENT.exec(name)?.[1];
        if (image !== undefined && group?.image === image) {
          group.names.push(name);
          continue;
        }
        await flush();
        if (image !== undefined && isUuid(image)) group = { image, names: [name] };
        else if (isUuid(name)) whole = name;
      }
    }
    await flush();
  }
  return removed;
}

/** The containers of a store: the one configured, or with a seed, every `<container>_<prefix>` in the account. */
export async function* storeContainers(session: SwiftSession, container: string, seed: number): AsyncGenerator<string> {
  if (seed === 0) {
    yield container;
    return;
  }
  for await (const page of listPages(session, undefined, `${container}_`)) {
    for (const name of page) if (/^[0-9a-f-]+$/.test(name.slice(container.length + 1))) yield name;
  }
}
