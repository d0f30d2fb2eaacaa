import type { ImportContext } from '@glance-import/core';
import type { ServerConfig } from '../options.js';

type Values = ServerConfig['values'];

/** The options an import reads, taken from the config once when the server starts. */
export interface ImportSettings {
  /** `[DEFAULT] enable_image_import`. */
  readonly enabled: boolean;
  /** `[DEFAULT] enabled_import_methods`. */
  readonly methods: readonly string[];
  /** `[DEFAULT] image_size_cap`. */
  readonly imageSizeCap: number;
  /** `[DEFAULT] hashing_algorithm`. */
  readonly hashAlgo: string;
  /** `[task] task_time_to_live`, hours. */
  readonly taskTtlHours: number;
  /** `[wsgi] task_pool_threads`: imports run at once. */
  readonly poolSize: number;
  /** `[taskflow_executor]`. */
  readonly engine: { readonly mode: 'serial' | 'parallel'; readonly maxWorkers: number };
  readonly imageFormat: ImportContext['imageFormat'];
  readonly filtering: Values['import_filtering_opts'];
  /** Where glance-download pulls from (`[glance_import]`, `[glance_download_properties]`). */
  readonly glanceDownload: {
    readonly endpoints: Readonly<Record<string, string>>;
    readonly tokens: Readonly<Record<string, string>>;
    readonly extraProperties: readonly string[];
  };
}

export function importSettings(config: ServerConfig): ImportSettings {
  const v = config.values;
  return {
    enabled: v.DEFAULT.enable_image_import,
    methods: v.DEFAULT.enabled_import_methods,
    imageSizeCap: v.DEFAULT.image_size_cap,
    hashAlgo: v.DEFAULT.hashing_algorithm,
    taskTtlHours: v.task.task_time_to_live,
    poolSize: v.wsgi.task_pool_threads,
    engine: { mode: v.taskflow_executor.engine_mode as 'serial' | 'parallel', maxWorkers: v.taskflow_executor.max_workers },
    imageFormat: {
      vmdkAllowedTypes: v.image_format.vmdk_allowed_types,
      requireFormatMatch: v.image_format.require_image_format_match,
      gptSafetyChecksNonfatal: v.image_format.gpt_safety_checks_nonfatal,
    },
    filtering: v.import_filtering_opts,
    glanceDownload: {
      endpoints: v.glance_import.glance_download_endpoints,
      tokens: v.glance_import.glance_download_tokens,
      extraProperties: v.glance_download_properties.extra_properties,
    },
  };
}
