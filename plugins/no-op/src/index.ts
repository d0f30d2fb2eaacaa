import { definePlugin, defineTask, linearFlow } from '@glance-import/core';

/** Glance's `no_op`: a task that does nothing and logs that it ran; useful to check a plugin chain. */
export const getFlow = definePlugin({
  description: 'Does nothing; logs that it ran.',
  getFlow: (ctx) =>
    linearFlow(
      'no_op',
      {},
      defineTask({
        name: 'Noop',
        rerunnable: true,
        execute: () => {
          ctx.logger.info({ plugin: 'no_op', image_id: ctx.imageId, task_id: ctx.taskId }, 'No_op import plugin');
        },
        revert: () => {
          ctx.logger.info({ plugin: 'no_op', image_id: ctx.imageId, task_id: ctx.taskId }, 'No_op import plugin reverted');
        },
      }),
    ),
});
