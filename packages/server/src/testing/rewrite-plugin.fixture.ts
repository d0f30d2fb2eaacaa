import { definePlugin, defineTask, linearFlow, type ImportContext } from '@glance-import/core';

/**
 * For tests: a plugin with one task that turns the working file into a new one, as a conversion or
 * decompression does; `rewrite` writes it and returns its path. `spec` adds to the plugin's meta.
 */
export const rewritePlugin = (rewrite: (file: string, ctx: ImportContext) => string, spec: Omit<Parameters<typeof definePlugin>[0], 'getFlow'> = {}) =>
  definePlugin({
    ...spec,
    getFlow: (ctx) =>
      linearFlow(
        'rewrite',
        {},
        defineTask<{ file_path: string }, string>({
          name: 'Rewrite',
          requires: ['file_path'],
          provides: 'file_path',
          execute: async ({ file_path }) => rewrite(file_path, ctx),
        }),
      ),
  });
