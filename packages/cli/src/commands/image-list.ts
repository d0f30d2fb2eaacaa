import { apiFrom, callJson } from '../api.js';
import { apiOptions, jsonOption, type Command } from '../command.js';
import { EXIT, UsageError, type Io } from '../io.js';
import { fmtBytes } from '../progress-bar.js';
import { table } from '../table.js';

export interface ImageListArgs {
  endpoint?: string;
  token?: string;
  json?: boolean;
  limit?: string;
  status?: string;
}

interface ImageRow {
  id: string;
  name: string | null;
  status: string;
  disk_format: string | null;
  size: number | null;
  updated_at: string;
}

/** `glance-import image list`: every image the token's project may see, following the API's pages. */
export async function imageList(args: ImageListArgs, io: Io): Promise<number> {
  if (args.limit !== undefined && !/^[1-9]\d*$/.test(args.limit)) throw new UsageError(`--limit takes a positive number, got '${args.limit}'`);
  const max = args.limit === undefined ? Infinity : Number(args.limit);
  const api = apiFrom(args);
  const query = new URLSearchParams({ ...(args.status ? { status: args.status } : {}) });
  const images: ImageRow[] = [];
  for (let next: string | undefined = `/v2/images${query.size ? `?${query}` : ''}`; next && images.length < max;) {
    const page: { images: ImageRow[]; next?: string } = await callJson(api, 'GET', next);
    images.push(...page.images);
    next = page.next;
  }
  const shown = images.slice(0, max);
  if (args.json) {
    io.out(JSON.stringify(shown, null, 2));
    return EXIT.ok;
  }
  if (shown.length === 0) {
    io.out('No images.');
    return EXIT.ok;
  }
  io.out(
    table(
      [
        ['ID', 'NAME', 'STATUS', 'DISK FORMAT', 'SIZE', 'UPDATED'],
        ...shown.map((i) => [i.id, i.name ?? '', i.status, i.disk_format ?? '', i.size === null ? '' : fmtBytes(i.size), i.updated_at]),
      ],
      { columns: io.columns, keep: [0] },
    ),
  );
  return EXIT.ok;
}

export const imageListCommand: Command = {
  name: 'image list',
  summary: 'List the images the token may see',
  options: {
    status: {
      type: 'string',
      value: 'STATUS',
      help: 'only images in this status',
      complete: ['queued', 'saving', 'uploading', 'importing', 'active', 'killed', 'deactivated'],
    },
    limit: { type: 'string', value: 'N', help: 'at most N images' },
    ...jsonOption,
    ...apiOptions,
  },
  run: (v, _p, io) => imageList(v as ImageListArgs, io),
};
