import { parseTime } from './format';
import type { ImportTask, PlannedStep } from './task-types';

export type PhaseState = 'done' | 'running' | 'failed' | 'pending' | 'not-run';

export interface PhaseRow {
  phase: string;
  label: string;
  plugin?: string;
  state: PhaseState;
  /** How long it ran (so far, for the running one). */
  ms?: number;
  bytesDone?: number;
  bytesTotal?: number;
  rate?: number;
}

const LABELS: Record<string, string> = {
  ImageLock: 'Lock the image',
  WebDownload: 'Download from the URL',
  CopyImage: 'Stage the data of a store',
  ImportMetadata: "Copy the remote image's metadata",
  DownloadGlanceImage: 'Download from the other region',
  VerifyStaging: 'Check the staged data',
  ImportToStore: 'Write to the stores',
  DeleteFromStaging: 'Remove the staged data',
  CompleteTask: 'Complete',
};

export function phaseLabel(phase: string): string {
  if (LABELS[phase]) return LABELS[phase]!;
  if (phase === 'Inspect-staged') return 'Inspect the data';
  if (phase.startsWith('Inspect-')) return `Inspect the data ${phase.slice('Inspect-'.length)} wrote`;
  return phase;
}

/**
 * One row per step of the import, in the order it runs: the planned steps (plugins in config order)
 * with what the progress object says of each; a step that ran without being planned is shown too.
 * When the task failed, the last step that started is the one that failed; steps never reached
 * read "not run".
 */
export function phaseRows(task: ImportTask, now = Date.now()): PhaseRow[] {
  const p = task.progress;
  const ran = p?.phases ?? [];
  const plan = p?.plan ?? [];
  const ended = task.status === 'success' || task.status === 'failure';
  const order: PlannedStep[] = [...plan, ...ran.filter((r) => !plan.some((s) => s.phase === r.phase)).map((r) => ({ phase: r.phase }))];
  const last = ran.at(-1)?.phase;
  return order.map((step): PhaseRow => {
    const rec = ran.find((r) => r.phase === step.phase);
    const row: PhaseRow = { phase: step.phase, label: phaseLabel(step.phase), ...(step.plugin ? { plugin: step.plugin } : {}), state: 'pending' };
    if (!rec) return { ...row, state: ended ? 'not-run' : 'pending' };
    const start = parseTime(rec.startedAt)?.getTime();
    const end = parseTime(rec.endedAt)?.getTime();
    const failed = task.status === 'failure' && rec.phase === last;
    const running = !ended && !rec.endedAt;
    const state: PhaseState = failed ? 'failed' : running ? 'running' : rec.endedAt || ended ? 'done' : 'running';
    const out: PhaseRow = { ...row, state };
    if (start !== undefined) out.ms = (end ?? (running ? now : start)) - start;
    if (running) {
      if (p?.bytesDone !== undefined) out.bytesDone = p.bytesDone;
      if (p?.bytesTotal !== undefined) out.bytesTotal = p.bytesTotal;
      if (p?.rate !== undefined) out.rate = p.rate;
    } else if (rec.bytes !== undefined) {
      out.bytesDone = rec.bytes;
      if (start !== undefined && end !== undefined && end > start) out.rate = Math.round(rec.bytes / ((end - start) / 1000));
    }
    return out;
  });
}

export interface StoreRow {
  store: string;
  status: 'pending' | 'writing' | 'done' | 'failed';
  bytesDone?: number;
  bytesTotal?: number;
  rate?: number;
}

/**
 * One row per target store (the task's stores, then any the progress names). The stores are written
 * from one read of the data, so a store being written is as far as the write and at its rate; a
 * store done holds every byte, at the rate the write phase averaged.
 */
export function storeRows(task: ImportTask): StoreRow[] {
  const p = task.progress;
  const names = [...new Set([...(task.input?.backend ?? []), ...Object.keys(p?.stores ?? {})])];
  const writing = p?.phase === 'store';
  const phase = p?.phases?.find((r) => r.phase === 'ImportToStore');
  const start = parseTime(phase?.startedAt)?.getTime();
  const end = parseTime(phase?.endedAt)?.getTime();
  return names.map((store): StoreRow => {
    const s = p?.stores?.[store];
    const row: StoreRow = { store, status: s?.status ?? 'pending' };
    if (s?.status === 'writing' && writing) {
      if (p.bytesDone !== undefined) row.bytesDone = p.bytesDone;
      if (p.bytesTotal !== undefined) row.bytesTotal = p.bytesTotal;
      if (p.rate !== undefined) row.rate = p.rate;
    } else if (s?.status === 'done' && s.bytesDone !== undefined) {
      row.bytesDone = s.bytesDone;
      row.bytesTotal = s.bytesDone;
      if (start !== undefined && end !== undefined && end > start) row.rate = Math.round(s.bytesDone / ((end - start) / 1000));
    }
    return row;
  });
}
