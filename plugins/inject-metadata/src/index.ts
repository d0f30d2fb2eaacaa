import { definePlugin, linearFlow, opts } from '@glance-import/core';
import { injectable } from './properties.js';
import { injectTask } from './task.js';

export { BASE_ATTRIBUTES, RESERVED_PREFIX, refusedProperties } from './properties.js';
export type { InjectionRecord } from './task.js';
export { injectErrors } from './errors.js';

/** Glance's `inject_image_metadata`: set the operator's properties on images imported by other users. */
export const getFlow = definePlugin({
  group: 'inject_metadata_properties',
  description: 'Sets [inject_metadata_properties] inject on the image unless the user has a role in ignore_user_roles.',
  options: {
    ignore_user_roles: opts.option(opts.list(opts.string()), {
      default: ['admin'],
      help: 'Users with any of these roles get nothing injected.',
    }),
    inject: opts.option(injectable(), {
      default: {},
      help: 'Properties set on each imported image, as key:value pairs (k1:v1,k2:v2).',
    }),
  },
  getFlow: (ctx) => linearFlow('inject_image_metadata', {}, injectTask(ctx)),
});
