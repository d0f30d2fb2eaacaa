import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import {
  defineTask,
  Engine,
  FILE_PATH,
  linearFlow,
  loadConfig,
  memoryLogger,
  noProgress,
  pluginMeta,
  type AtomEvent,
  type Flow,
  type FlowError,
  type ImageSnapshot,
  type ImportContext,
  type ImportRequest,
  type LogRecord,
  type ProgressUpdate,
  type RequestIdentity,
} from '@glance-import/core';
import { diffImage, MemoryImage } from './memory-image.js';

// Plugins are typed by their own options; the runner validates options from the plugin's schema.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type PluginFn = (ctx: ImportContext<any>) => Flow | Promise<Flow>;

export interface RunPluginOptions {
  /** Fixture file; copied into a fresh staging directory as `<stagingDir>/<imageId>`. */
  file: string;
  image?: Partial<ImageSnapshot>;
  /** The plugin's options as they would be written in its config group (INI strings or JSON values). */
  options?: Record<string, unknown>;
  identity?: Partial<RequestIdentity>;
  importRequest?: ImportRequest;
  /** Add a failing task after the plugin, to see what the plugin reverts. */
  failAfter?: boolean;
  mode?: 'serial' | 'parallel';
  imageSizeCap?: number;
  stagingBytesLimit?: number;
  /** The context's `hashAlgo` (`[DEFAULT] hashing_algorithm`); none unless given. */
  hashAlgo?: string;
  signal?: AbortSignal;
}

export interface PluginRun {
  ok: boolean;
  error?: FlowError;
  /** The `file_path` after the plugin ran (the staged file, or the one the plugin provided). */
  filePath: string;
  readData(): Buffer;
  stagingDir: string;
  /** Remove the run's staging directory (call it in afterEach; the run leaves it for inspection). */
  dispose(): void;
  image: ImageSnapshot;
  /**
   * Attributes and properties the plugin changed. After a failure: what is left once the reverts ran
   * and the framework put back the properties (as the server does; attributes go back with the image's
   * own restore there, so a revert must undo the attributes it set).
   */
  changes: Record<string, { from: unknown; to: unknown }>;
  /** After a failure: what the plugin's own reverts left, before the framework put back the properties. */
  changesBeforeUndo: Record<string, { from: unknown; to: unknown }>;
  /** Every name the flow provided, by name. */
  provided: Record<string, unknown>;
  /** Atom names that were reverted, in revert order. */
  reverted: string[];
  atoms: AtomEvent[];
  logs: LogRecord[];
  progress: ProgressUpdate[];
}

/** Run a plugin's flow the way the import flow does, on a fixture file and a fake image record. */
export async function runPlugin(plugin: PluginFn, o: RunPluginOptions): Promise<PluginRun> {
  const imageId = o.image?.id ?? randomUUID();
  const stagingDir = mkdtempSync(path.join(tmpdir(), 'gi-plugin-'));
  const staged = path.join(stagingDir, imageId);
  copyFileSync(o.file, staged);
  const logger = memoryLogger();
  const image = new MemoryImage({ ...o.image, id: imageId }, logger);
  const meta = pluginMeta(plugin);
  const group = meta.group ?? 'plugin';
  const config = await loadConfig({ searchFrom: false, overrides: { [group]: o.options ?? {} } });
  const options = config.group(group, meta.options ?? {}, group) as Record<string, unknown>;
  const progress: ProgressUpdate[] = [];
  const ctx: ImportContext = {
    taskId: randomUUID(),
    taskType: 'api_image_import',
    imageId,
    importRequest: o.importRequest ?? { method: { name: 'glance-direct' } },
    options,
    image,
    stagingDir,
    stores: ['default'],
    identity: { userId: 'user', projectId: 'project', roles: ['member'], isAdmin: false, ...o.identity },
    logger,
    signal: o.signal ?? new AbortController().signal,
    progress: {
      report: (u) => {
        progress.push(u);
        noProgress.report(u);
      },
    },
    imageFormat: {
      vmdkAllowedTypes: config.values.image_format.vmdk_allowed_types,
      requireFormatMatch: config.values.image_format.require_image_format_match,
      gptSafetyChecksNonfatal: config.values.image_format.gpt_safety_checks_nonfatal,
    },
    imageSizeCap: o.imageSizeCap ?? config.values.DEFAULT.image_size_cap,
    ...(o.stagingBytesLimit !== undefined ? { stagingBytesLimit: o.stagingBytesLimit } : {}),
    ...(o.hashAlgo !== undefined ? { hashAlgo: o.hashAlgo } : {}),
  };
  const flow = linearFlow(
    'plugin_test',
    {},
    defineTask({ name: 'VerifyStaging', provides: FILE_PATH, execute: () => staged }),
    await plugin(ctx),
    ...(o.failAfter
      ? [
          defineTask({
            name: 'FailAfter',
            requires: [FILE_PATH],
            execute: () => {
              throw new Error('failAfter: injected failure');
            },
          }),
        ]
      : []),
  );
  const atoms: AtomEvent[] = [];
  const engine = new Engine(flow, { mode: o.mode ?? 'serial', signal: o.signal, listeners: [{ onAtom: (e) => atoms.push(e) }] });
  let provided: Record<string, unknown> = {};
  let error: FlowError | undefined;
  try {
    provided = (await engine.run()).values;
  } catch (e) {
    error = e as FlowError;
  }
  const filePath = typeof provided[FILE_PATH] === 'string' ? (provided[FILE_PATH] as string) : staged;
  const afterReverts = image.snapshot();
  // The server puts back what a failed import wrote to the image's properties, after the reverts.
  if (error) image.undoPropertyChanges();
  const final = image.snapshot();
  return {
    ok: !error,
    ...(error ? { error } : {}),
    filePath,
    readData: () => readFileSync(filePath),
    stagingDir,
    dispose: () => rmSync(stagingDir, { recursive: true, force: true }),
    image: final,
    changes: diffImage(image.initial, final),
    changesBeforeUndo: diffImage(image.initial, afterReverts),
    provided,
    reverted: atoms.filter((a) => a.state === 'REVERTED').map((a) => a.atom),
    atoms,
    logs: logger.records,
    progress,
  };
}
