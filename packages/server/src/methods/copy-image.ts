import { defineTask } from '@glance-import/core';
import { giError } from '../errors.js';
import type { ImportMethod } from './method.js';
import { stageFrom } from './stage.js';

/**
 * copy-image: stage the data of an active image from a store that holds it (the default store
 * first), so the store step can write it to the requested stores. A complete staged copy of the
 * right size left by an earlier attempt is reused; a partial one is replaced. Staging is kept on
 * failure so a retry does not read the source again (Glance's behaviour).
 */
export const copyImage: ImportMethod = {
  name: 'copy-image',
  tasks: (d) => [defineTask({
    name: 'CopyImage',
    execute: async () => {
      const { rt, job } = d;
      const image = await d.image.load();
      const staged = await rt.staging.size(job.imageId);
      if (staged !== undefined && staged === image.size) return;
      if (staged !== undefined) await rt.staging.remove(job.imageId);
      const locations = image.locations.filter((l) => l.status === 'active' && rt.stores.byId.has(l.store));
      const source = locations.find((l) => l.store === rt.stores.defaultId) ?? locations[0];
      if (!source) throw giError('GI_METHOD_NO_SOURCE', { imageId: job.imageId });
      const { stream, size } = await rt.stores.byId.get(source.store)!.get(source.url);
      d.log.info({ image_id: job.imageId, from: source.store, to: job.stores }, 'Copying image data to staging');
      await stageFrom(d, stream, { phase: 'copy', expectedBytes: image.size ?? size, signal: d.signal });
    },
  })],
};
