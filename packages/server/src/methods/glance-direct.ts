import type { ImportMethod } from './method.js';

/** glance-direct: the data was staged by the client (`PUT /v2/images/{id}/stage`); no task fills staging. */
export const glanceDirect: ImportMethod = {
  name: 'glance-direct',
  requiredStatus: 'uploading',
  wrongStatus: "Image needs to be staged before 'glance-direct' method can be used",
  policyRule: 'modify_image',
  quotas: (image, stores) => [['image_size_total', (image.size ?? 0) * stores]],
  runsPlugins: true,
  copiesActiveImage: false,
  stagedSizeRecorded: true,
  failsAllStores: true,
  tasks: () => [],
};
