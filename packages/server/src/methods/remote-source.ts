import type { ImportMethod } from './method.js';

/**
 * What web-download and glance-download have in common at the import call: both fill the staging
 * area of a queued image from a remote source, count against the staging quota, and run plugins.
 */
export const remoteSource = (name: string): Omit<ImportMethod, 'validate' | 'tasks'> => ({
  name,
  requiredStatus: 'queued',
  wrongStatus: `Image needs to be in 'queued' state to use '${name}' method`,
  policyRule: 'modify_image',
  quotas: () => [
    ['image_stage_total', 0],
    ['image_count_uploading', 1],
  ],
  runsPlugins: true,
  copiesActiveImage: false,
  stagedSizeRecorded: false,
  failsAllStores: true,
});
