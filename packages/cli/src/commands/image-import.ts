import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Readable, Transform } from 'node:stream';
import { didYouMean, suggest } from '@glance-import/core';
import { apiFrom, call, callJson, type Api } from '../api.js';
import { apiOptions, type Command } from '../command.js';
import { IMPORT_METHODS } from '../import-methods.js';
import { waitForImport, type ImportOutcome } from '../import-wait.js';
import { EXIT, UsageError, type Io } from '../io.js';
import { PhaseBars } from '../phase-bars.js';
import { ProgressBar } from '../progress-bar.js';

export interface ImageImportArgs {
  image?: string;
  name?: string;
  'disk-format'?: string;
  'container-format'?: string;
  method?: string;
  uri?: string;
  stores?: string;
  wait?: boolean;
  endpoint?: string;
  token?: string;
  'poll-interval'?: string;
  'reconnect-timeout'?: string;
}

interface Image {
  id: string;
  status: string;
}

const seconds = (raw: string | undefined, fallback: number, option: string) => {
  if (raw === undefined) return fallback * 1000;
  if (!/^\d+(\.\d+)?$/.test(raw)) throw new UsageError(`--${option} takes a number of seconds, got '${raw}'`);
  return Number(raw) * 1000;
};

/** The file to stage: a readable regular file, or a usage error saying what it is instead. */
async function fileSize(file: string): Promise<number> {
  const s = await stat(file).catch(() => undefined);
  if (!s) throw new UsageError(`cannot read ${file}`);
  if (s.isDirectory()) throw new UsageError(`${file} is a directory: give the image file itself`);
  if (!s.isFile()) throw new UsageError(`${file} is not a regular file: give the image file itself`);
  return s.size;
}

/** The arguments, checked before anything is sent: which method, and what it needs. */
function plan(args: ImageImportArgs, positionals: string[]) {
  const method = args.method ?? 'glance-direct';
  const use = IMPORT_METHODS[method];
  if (!use) throw new UsageError(`--method ${method} is not an import method.${didYouMean(suggest(method, Object.keys(IMPORT_METHODS)))}`);
  if (use.source === 'unsupported') throw new UsageError(`--method ${method}: this command does not run it: ${use.why}`);
  const file = positionals[0];
  if (use.source === 'file' && !file && !args.image) throw new UsageError('image import takes exactly one FILE');
  if (use.source === 'uri' && !args.uri) throw new UsageError(`--method ${method} needs --uri URL`);
  if (use.source === 'uri' && file) throw new UsageError(`--method ${method} downloads --uri; it takes no FILE`);
  if (use.source !== 'uri' && args.uri) throw new UsageError(`--uri is for --method web-download, not ${method}`);
  if (args.image) {
    for (const o of ['name', 'disk-format', 'container-format'] as const) {
      if (args[o] !== undefined) throw new UsageError(`--image imports into an existing image: --${o} is not used`);
    }
  } else {
    if (!args.name) throw new UsageError('image import needs --name');
    if (!args['disk-format']) throw new UsageError('image import needs --disk-format');
  }
  const stores = args.stores
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  return { method, source: use.source, file, stores };
}

/**
 * `glance-import image import FILE`: create the image, stage the file with a progress bar, call
 * import, and with --wait follow the task's progress object phase by phase until it ends. With
 * `--image ID` it imports into an existing image: again after a failed import (the staged data is
 * kept), or staging FILE into a queued one. Prints the image id on stdout; a failed import exits 1
 * with its reason and the commands to retry or give up.
 */
export async function imageImport(args: ImageImportArgs, positionals: string[], io: Io): Promise<number> {
  const p = plan(args, positionals);
  const interval = seconds(args['poll-interval'], 0.5, 'poll-interval');
  const unreachable = seconds(args['reconnect-timeout'], 300, 'reconnect-timeout');
  const api = apiFrom(args);
  const size = p.file ? await fileSize(p.file) : undefined;
  const errWrite = io.progress ?? ((s: string) => io.err(s.replace(/^\r|\x1b\[K/g, '').trimEnd()));
  const tty = io.tty ?? false;

  const image = args.image
    ? await callJson<Image>(api, 'GET', `/v2/images/${encodeURIComponent(args.image)}`)
    : await callJson<Image>(api, 'POST', '/v2/images', {
        body: { name: args.name, disk_format: args['disk-format'], container_format: args['container-format'] ?? 'bare' },
      });
  io.out(image.id);
  if (p.source === 'file') {
    if (p.file && image.status !== 'queued') {
      throw new UsageError(
        `image ${image.id} is ${image.status}, so it takes no new data${image.status === 'uploading' ? `: its staged data is kept; run without FILE to import it again (glance-import image import --image ${image.id})` : ''}`,
      );
    }
    if (!p.file && image.status === 'queued') throw new UsageError(`image ${image.id} has no data staged: give FILE to stage`);
    if (p.file) await stage(api, image.id, p.file, size!, new ProgressBar('upload ', errWrite, tty));
  }
  const method = { name: p.method, ...(p.source === 'uri' ? { uri: args.uri } : {}) };
  const started = await call(api, 'POST', `/v2/images/${image.id}/import`, { body: { method, ...(p.stores ? { stores: p.stores } : {}) } });
  if (!args.wait) return EXIT.ok;
  const outcome = await waitForImport(api, image.id, {
    intervalMs: interval,
    unreachableMs: unreachable,
    requestId: started.headers.get('x-openstack-request-id'),
    phases: new PhaseBars(errWrite, tty),
    note: (t) => io.err(`note: ${t}`),
  });
  if (outcome.ok) {
    io.err(`image ${image.id} is active`);
    return EXIT.ok;
  }
  for (const line of failureReport(image.id, outcome, p.source)) io.err(line);
  return EXIT.failed;
}

async function stage(api: Api, imageId: string, file: string, size: number, bar: ProgressBar): Promise<void> {
  let sent = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _e, cb) {
      sent += chunk.length;
      bar.update(sent, size);
      cb(null, chunk);
    },
  });
  const stream = Readable.toWeb(createReadStream(file, { highWaterMark: 1024 * 1024 }).pipe(counter)) as ReadableStream;
  await call(api, 'PUT', `/v2/images/${imageId}/stage`, { stream, headers: { 'Content-Type': 'application/octet-stream' } });
  bar.done();
}

/** The reason, then what to do next: import again (what is staged is kept), or give up. */
export function failureReport(imageId: string, o: ImportOutcome, source: 'file' | 'uri'): string[] {
  const reason = (o.task?.message ?? 'the import task failed').replace(/\s+/g, ' ');
  const again =
    o.status === 'uploading' || source === 'uri'
      ? `glance-import image import --image ${imageId}${source === 'uri' ? ' --method web-download --uri URL' : ''} --wait`
      : `glance-import image import FILE --image ${imageId} --wait`;
  return [`import failed: ${reason} (image ${imageId} is ${o.status})`, `  to retry:   ${again}`, `  to give up: glance-import image delete ${imageId}`];
}

export const imageImportCommand: Command = {
  name: 'image import',
  summary: 'Create an image from FILE, stage it and import it (progress with --wait); --image ID retries one',
  description: [
    'Prints the image id on stdout; the upload and, with --wait, each import phase go to stderr. With --wait the',
    'command exits 0 once the image is active and 1 when the import failed, with the reason and the commands to',
    'retry or give up. A service that restarts meanwhile is waited for (--reconnect-timeout).',
    '',
    'methods:',
    ...Object.entries(IMPORT_METHODS).map(([name, m]) => `  ${name.padEnd(16)} ${m.source === 'unsupported' ? 'not run by this command' : m.about}`),
  ].join('\n'),
  positionals: [{ name: 'FILE', help: 'the image data to stage (glance-direct)', optional: true, complete: 'file' }],
  options: {
    image: { type: 'string', value: 'ID', help: 'import into this existing image instead of creating one (retry after a failed import)' },
    name: { type: 'string', value: 'NAME', help: 'name of the new image' },
    'disk-format': {
      type: 'string',
      value: 'FORMAT',
      help: 'disk_format of the new image (raw, qcow2, vmdk, ...)',
      complete: ['raw', 'qcow2', 'vmdk', 'vhd', 'vhdx', 'vdi', 'iso', 'ploop', 'ami', 'ari', 'aki'],
    },
    'container-format': {
      type: 'string',
      value: 'FORMAT',
      help: 'container_format of the new image (default: bare)',
      complete: ['bare', 'ovf', 'ova', 'docker', 'compressed', 'ami', 'ari', 'aki'],
    },
    method: {
      type: 'string',
      value: 'METHOD',
      help: 'import method (default: glance-direct)',
      complete: Object.keys(IMPORT_METHODS).filter((m) => IMPORT_METHODS[m]!.source !== 'unsupported'),
    },
    uri: { type: 'string', value: 'URL', help: 'what web-download fetches' },
    stores: { type: 'string', value: 'S1,S2', help: 'target stores (multi-store sites; default: the default store)' },
    wait: { type: 'boolean', help: 'follow the import until it ends; exit 1 if it failed' },
    'poll-interval': { type: 'string', value: 'SECONDS', help: 'how often --wait looks at the task (default: 0.5)' },
    'reconnect-timeout': { type: 'string', value: 'SECONDS', help: 'how long --wait waits for a service that does not answer (default: 300)' },
    ...apiOptions,
  },
  run: (v, p, io) => imageImport(v as ImageImportArgs, p, io),
};
