import type { Check, InspectionResult } from '@glance-import/format-inspector';

/**
 * One run of the inspector as the task's `inspections` and the image's
 * `os_glance_inspection` show it (beyond Glance).
 */
export interface InspectionRecord {
  /** `staged`, or the plugin after which the data was inspected again. */
  phase: string;
  /** `compressed`: a plugin still to come decompresses the data, whose format is judged then. */
  verdict: 'ok' | 'skipped' | 'compressed' | 'refused';
  /** What the bytes are (for compressed data, the compression). */
  format: string;
  /** The image's disk_format at that point. */
  disk_format: string | null;
  virtual_size: number | null;
  checks: Check[];
  /** Why the data was refused, or what was let through with a warning. */
  reason?: string;
  warning?: string;
  inspector_version: string;
}

export interface Inspection extends InspectionResult {
  verdict: 'ok' | 'skipped' | 'compressed';
  record: InspectionRecord;
}
