import { apiFrom, call } from '../api.js';
import { apiOptions, jsonOption, type Command } from '../command.js';
import { EXIT, type Io } from '../io.js';

export interface ImageDeleteArgs {
  endpoint?: string;
  token?: string;
  json?: boolean;
}

/** `glance-import image delete ID`: delete the image, its data in every store and what is staged. */
export async function imageDelete(args: ImageDeleteArgs, positionals: string[], io: Io): Promise<number> {
  const api = apiFrom(args);
  const id = positionals[0]!;
  await call(api, 'DELETE', `/v2/images/${encodeURIComponent(id)}`);
  io.out(args.json ? JSON.stringify({ id, deleted: true }) : `deleted image ${id}`);
  return EXIT.ok;
}

export const imageDeleteCommand: Command = {
  name: 'image delete',
  summary: 'Delete an image (its data in every store, and what is staged)',
  positionals: [{ name: 'ID', help: 'the image id' }],
  options: { ...jsonOption, ...apiOptions },
  run: (v, p, io) => imageDelete(v as ImageDeleteArgs, p, io),
};
