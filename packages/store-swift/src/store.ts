import { defineStoreDriver, measure, type StoreDriver } from '@glance-import/store';
import { containerExists, ensureContainer } from './container.js';
import { abortError, storeError } from './contract-errors.js';
import { swiftErrors } from './errors.js';
import { Transport } from './http.js';
import { containerFor, formatLocation, parseLocation, type SwiftObject } from './location.js';
import { swiftOptions } from './options.js';
import { discardImage, storeContainers, sweepSegments } from './leftovers.js';
import { headObject, readObject } from './read.js';
import { removeObject, removeSegments } from './remove.js';
import { SwiftSession } from './session.js';
import { swiftSettings, type SwiftSettings } from './settings.js';
import { writeObject } from './write.js';

/** The `swift` entry point of glance.store.drivers: (store id, the store's group) → driver. */
export const createSwiftStore = defineStoreDriver({
  options: swiftOptions,
  description: "OpenStack Swift, as glance_store's swift store",
  create: (id, values) => swiftStore(id, swiftSettings(id, values)),
});

/** A swift store from validated settings. */
export function swiftStore(id: string, s: SwiftSettings): StoreDriver {
  const transport = new Transport(s.tls);
  const sessions = new Map<string, SwiftSession>();
  const session = (reference: string) => {
    let found = sessions.get(reference);
    if (!found) sessions.set(reference, (found = new SwiftSession(transport, s.references.get(reference)!, s.access)));
    return found;
  };
  const references = new Set(s.references.keys());
  const at = (location: string): SwiftObject & { session: SwiftSession } => {
    const o = parseLocation(id, location, references);
    return { ...o, session: session(o.reference) };
  };

  return {
    id,
    type: 'swift',
    readOnly: false,
    description: s.description,
    weight: s.weight,
    // What Glance's /v2/info/stores/detail shows for a swift store (sizes in bytes).
    properties: { container: s.container, large_object_size: s.largeObjectSize, large_object_chunk_size: s.chunkSize },

    async add(imageId, source, opts = {}) {
      checkImageId(imageId);
      const data = measure(source, opts);
      const o: SwiftObject = { reference: s.defaultReference, container: containerFor(imageId, s.container, s.containersSeed), object: imageId };
      const sess = session(o.reference);
      await ensureContainer(sess, o.container, s.createContainer);
      if (await headObject(sess, o.container, o.object)) throw storeError('GI_STORE_DUPLICATE', { store: id, imageId });
      // Segments left by an earlier write that failed while Swift was away would join this object's manifest.
      await removeSegments(sess, o.container, o.object);
      try {
        await writeObject(sess, { store: id, container: o.container, object: o.object }, data, {
          size: opts.expectedBytes,
          largeObjectSize: s.largeObjectSize,
          chunkSize: s.chunkSize,
          signal: opts.signal,
        });
        if (opts.signal?.aborted) throw abortError(opts.signal, `Writing to store '${id}'`);
        return { location: formatLocation(o), ...(await data.result()) };
      } catch (e) {
        // Whatever was written: segments, and the manifest if the abort came after it.
        await removeObject(sess, o.container, o.object).catch(() => undefined);
        throw e;
      }
    },

    async get(location, range) {
      const o = at(location);
      return readObject(o.session, { container: o.container, object: o.object, location }, range, s.retryGetCount);
    },

    async delete(location) {
      const o = at(location);
      await removeObject(o.session, o.container, o.object);
    },

    async exists(location) {
      const o = at(location);
      return (await headObject(o.session, o.container, o.object)) !== undefined;
    },

    async discard(imageId) {
      checkImageId(imageId);
      // Writes go to the default reference's account only, so that is where a cut-short one left data.
      return discardImage(session(s.defaultReference), containerFor(imageId, s.container, s.containersSeed), imageId);
    },

    async sweepPartials(keep) {
      const sess = session(s.defaultReference);
      return sweepSegments(sess, storeContainers(sess, s.container, s.containersSeed), keep);
    },

    async check() {
      // Every account logs in; the container new images go to must be there unless it may be created.
      for (const reference of references) await session(reference).endpoint();
      if (s.containersSeed > 0 || s.createContainer) return;
      if (!(await containerExists(session(s.defaultReference), s.container))) {
        throw swiftErrors.error('GI_SWIFT_NO_CONTAINER', { store: id, container: s.container });
      }
    },
  };
}

/** An image id becomes an object name (and the prefix of its segments' names). */
function checkImageId(imageId: string): void {
  if (!imageId || imageId.includes('/') || imageId.length > 900) throw storeError('GI_STORE_BAD_IMAGE_ID', { imageId });
}
