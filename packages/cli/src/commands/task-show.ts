import { apiFrom, callJson } from '../api.js';
import { apiOptions, jsonOption, type Command } from '../command.js';
import { EXIT, type Io } from '../io.js';
import { fields, table } from '../table.js';

export interface TaskShowArgs {
  endpoint?: string;
  token?: string;
  json?: boolean;
}

/** `glance-import task show ID`: one task of the Tasks API (admin by default, as in Glance). */
export async function taskShow(args: TaskShowArgs, positionals: string[], io: Io): Promise<number> {
  const api = apiFrom(args);
  const task = await callJson<Record<string, unknown>>(api, 'GET', `/v2/tasks/${encodeURIComponent(positionals[0]!)}`);
  io.out(args.json ? JSON.stringify(task, null, 2) : table(fields(task), { columns: io.columns, keep: [0] }));
  return EXIT.ok;
}

export const taskShowCommand: Command = {
  name: 'task show',
  summary: 'Show a task: status, message, progress (the Tasks API is admin-only by default)',
  description: "An image's own tasks are also in `glance-import image show ID`, for any user who may see the image.",
  positionals: [{ name: 'ID', help: 'the task id' }],
  options: { ...jsonOption, ...apiOptions },
  run: (v, p, io) => taskShow(v as TaskShowArgs, p, io),
};
