import { defineTask, type ImportContext, type Task } from '@glance-import/core';
import { giError } from './errors.js';
import { refusedProperties } from './properties.js';

export interface InjectOptions {
  ignore_user_roles: string[];
  inject: Record<string, string>;
}

/** What the task changed, kept with its result so revert can put it back, even after a restart. */
export interface InjectionRecord {
  injected: Record<string, string>;
  /** Each injected key's value before, or null where the image did not have it. */
  previous: Record<string, string | null>;
}

const NOTHING: InjectionRecord = { injected: {}, previous: {} };

/** Glance's `InjectMetadataProperties`, with a revert Glance does not have. */
export function injectTask(ctx: ImportContext<InjectOptions>): Task<Record<string, never>, InjectionRecord> {
  const log = ctx.logger.child({ plugin: 'inject_image_metadata', image_id: ctx.imageId, task_id: ctx.taskId });
  return defineTask<Record<string, never>, InjectionRecord>({
    name: 'InjectMetadataProperties',
    // Not rerunnable: a second run would record the values the first one injected as `previous`,
    // and its revert would then keep them. An import interrupted here is reverted.
    rerunnable: false,
    async execute() {
      const ignored = ctx.identity.roles.filter((r) => ctx.options.ignore_user_roles.includes(r));
      if (ignored.length) {
        log.info({ roles: ignored }, 'Not injecting metadata: the user has a role listed in ignore_user_roles');
        return NOTHING;
      }
      const inject = ctx.options.inject;
      if (Object.keys(inject).length === 0) return NOTHING;
      // Options are validated when loaded; this guards hosts that build the context by hand.
      const refused = refusedProperties(inject);
      if (refused.length) throw giError('GI_INJECT_FORBIDDEN_PROPERTY', { keys: refused });
      const before = (await ctx.image.get()).extraProperties;
      const previous = Object.fromEntries(Object.keys(inject).map((k) => [k, before[k] ?? null]));
      await ctx.image.setExtraProperties(inject);
      log.info({ properties: Object.keys(inject) }, 'Injected image metadata properties');
      return { injected: { ...inject }, previous };
    },
    async revert(_inputs, outcome) {
      if (outcome.kind === 'failure') return;
      const { injected, previous } = outcome.value;
      const now = (await ctx.image.get()).extraProperties;
      // Only keys still holding what we set: a value someone changed since is theirs.
      const ours = Object.keys(injected).filter((k) => now[k] === injected[k]);
      const restore = Object.fromEntries(ours.flatMap((k) => (previous[k] == null ? [] : [[k, previous[k]]])));
      const remove = ours.filter((k) => previous[k] == null);
      if (Object.keys(restore).length) await ctx.image.setExtraProperties(restore);
      if (remove.length) await ctx.image.removeExtraProperties(remove);
      if (ours.length) log.info({ restored: Object.keys(restore), removed: remove }, 'Injected metadata reverted');
    },
  });
}
