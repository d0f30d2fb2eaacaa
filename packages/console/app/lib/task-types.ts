// The shapes of what GET /v2/images/{id}/tasks answers (beyond Glance: `progress`).

export interface PhaseRecord {
  phase: string;
  startedAt: string;
  endedAt?: string;
  bytes?: number;
}

export interface PlannedStep {
  /** The atom's name, as `phases[].phase` records it when it runs. */
  phase: string;
  /** The import plugin (entry-point name) this step belongs to, if any. */
  plugin?: string;
}

export interface TaskProgress {
  phase: string;
  bytesDone?: number;
  bytesTotal?: number;
  rate?: number;
  phases?: PhaseRecord[];
  stores?: Record<string, { status: 'pending' | 'writing' | 'done' | 'failed'; bytesDone?: number }>;
  /** Every step of the flow in the order it runs, plugins in `image_import_plugins` order. */
  plan?: PlannedStep[];
  updatedAt: string;
}

export interface ImportTask {
  id: string;
  type: string;
  status: 'pending' | 'processing' | 'success' | 'failure';
  owner: string;
  image_id: string;
  created_at: string;
  updated_at: string;
  message: string;
  input: {
    image_id?: string;
    import_req?: {
      method?: { name?: string; uri?: string; glance_image_id?: string; glance_region?: string; glance_service_interface?: string };
      stores?: string[];
      all_stores?: boolean;
      all_stores_must_succeed?: boolean;
    };
    backend?: string[];
  } | null;
  /** Glance's: `{image_id}` once the import succeeded, null otherwise. */
  result: { image_id?: string } | null;
  /** Beyond Glance: a failed import's GI_* code and what to do about it. */
  error_code?: string | null;
  error_hint?: string | null;
  /** The plugin whose own (uncoded) error failed the import (GI_PLUGIN_FAILED). */
  error_plugin?: string | null;
  inspections?: InspectionRecord[] | null;
  progress: TaskProgress | null;
}

export interface InspectionCheck {
  name: string;
  passed: boolean;
  reason?: string;
  nonfatal?: boolean;
}

export interface InspectionRecord {
  phase: string;
  verdict: 'ok' | 'skipped' | 'compressed' | 'refused';
  format: string;
  disk_format: string | null;
  virtual_size: number | null;
  checks: InspectionCheck[];
  reason?: string;
  warning?: string;
  inspector_version: string;
}

/** The newest task first (the API lists them oldest first). */
export const newestFirst = (tasks: readonly ImportTask[]): ImportTask[] => [...tasks].sort((a, b) => b.created_at.localeCompare(a.created_at));
