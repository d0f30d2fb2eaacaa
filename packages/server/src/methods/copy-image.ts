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
  requiredStatus: 'active',
  wrongStatus: 'Only images with status active can be targeted for copying',
  policyRule: 'copy_image',
  quotas: (image, stores) => [
    ['image_size_total', (image.size ?? 0) * stores],
    ['image_stage_total', image.size ?? 0],
    ['image_count_uploading', 1],
  ],
  // The data was inspected when it first arrived.
  runsPlugins: false,
  copiesActiveImage: true,
  stagedSizeRecorded: false,
  failsAllStores: false,
  tasks: (d) => [
    defineTask({
      name: 'CopyImage',
      execute: async () => {
        const { job } = d;
        const image = await d.image.load();
        const staged = await d.staging.size(job.imageId);
        if (staged !== undefined && staged === image.size) return;
        if (staged !== undefined) await d.staging.remove(job.imageId);
        const locations = image.locations.filter((l) => l.status === 'active' && d.stores.byId.has(l.store));
        const source = locations.find((l) => l.store === d.stores.defaultId) ?? locations[0];
        if (!source) throw giError('GI_METHOD_NO_SOURCE', { imageId: job.imageId });
        const { stream, size } = await d.stores.byId.get(source.store)!.get(source.url);
        d.log.info({ image_id: job.imageId, from: source.store, to: job.stores }, 'Copying image data to staging');
        await stageFrom(d, stream, { phase: 'copy', expectedBytes: image.size ?? size, signal: d.signal });
      },
    }),
  ],
};
