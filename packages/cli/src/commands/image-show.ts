import { apiFrom, callJson } from '../api.js';
import { apiOptions, jsonOption, type Command } from '../command.js';
import { EXIT, type Io } from '../io.js';
import { fields, table } from '../table.js';

export interface ImageShowArgs {
  endpoint?: string;
  token?: string;
  json?: boolean;
}

/** `glance-import image show ID`: the image as the API shows it, and its newest import task. */
export async function imageShow(args: ImageShowArgs, positionals: string[], io: Io): Promise<number> {
  const api = apiFrom(args);
  const id = encodeURIComponent(positionals[0]!);
  const image = await callJson<Record<string, unknown>>(api, 'GET', `/v2/images/${id}`);
  const { tasks } = await callJson<{ tasks: Array<Record<string, unknown>> }>(api, 'GET', `/v2/images/${id}/tasks`);
  const task = tasks[0];
  if (args.json) {
    io.out(JSON.stringify({ ...image, import_task: task ?? null }, null, 2));
    return EXIT.ok;
  }
  const lastImport = task ? { import_task: `${String(task.id)} ${String(task.status)}${task.message ? `: ${String(task.message)}` : ''}` } : {};
  io.out(table(fields({ ...image, ...lastImport }), { columns: io.columns, keep: [0] }));
  return EXIT.ok;
}

export const imageShowCommand: Command = {
  name: 'image show',
  summary: 'Show an image and how its last import went',
  positionals: [{ name: 'ID', help: 'the image id' }],
  options: { ...jsonOption, ...apiOptions },
  run: (v, p, io) => imageShow(v as ImageShowArgs, p, io),
};
