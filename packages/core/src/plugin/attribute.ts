import { giError, isGlanceImportError, reasonOf } from '../errors.js';
import { graphFlow, linearFlow, unorderedFlow, type Flow, type FlowItem } from '../flow/flows.js';
import type { AtomContext, Task } from '../flow/task.js';

const BUILD = { linear: linearFlow, unordered: unorderedFlow, graph: graphFlow } as const;

/**
 * A copy of a plugin's flow whose tasks name the plugin when they throw something without a GI_*
 * code: a bare `throw new Error('boom')` becomes GI_PLUGIN_FAILED "Plugin 'x' failed: boom" (the
 * original as its cause), so the user learns which plugin to look at. Coded errors, and whatever a
 * task throws once the import was aborted, pass unchanged.
 */
export function attributeFailures(flow: Flow, plugin: { name: string; package: string }): Flow {
  const wrap = (e: unknown, ctx: AtomContext): unknown =>
    isGlanceImportError(e) || ctx.signal.aborted
      ? e
      : giError('GI_PLUGIN_FAILED', { plugin: plugin.name, package: plugin.package, reason: reasonOf(e) }, { cause: e });
  const copy = (item: FlowItem): FlowItem => {
    if (item.kind === 'flow') return BUILD[item.pattern](item.name, { retry: item.retry }, ...item.items.map(copy));
    const task: Task = item;
    return {
      ...task,
      async execute(inputs, ctx) {
        try {
          return await task.execute(inputs, ctx);
        } catch (e) {
          throw wrap(e, ctx);
        }
      },
      ...(task.revert
        ? {
            async revert(inputs, outcome, ctx) {
              try {
                await task.revert!(inputs, outcome, ctx);
              } catch (e) {
                throw wrap(e, ctx);
              }
            },
          }
        : {}),
    };
  };
  return copy(flow) as Flow;
}
