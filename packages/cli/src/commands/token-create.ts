import { serviceOptions, type Command } from '../command.js';
import { EXIT, UsageError, type Io } from '../io.js';
import { loadServiceConfig, openServiceDatabase, type ServiceArgs } from '../service-config.js';

export interface TokenCreateArgs extends ServiceArgs {
  user?: string;
  project?: string;
  roles?: string;
  description?: string;
}

/**
 * `glance-import token create`: prints only the token, for scripts. The token goes to the database
 * `serve` uses, so every node sharing it accepts the token.
 */
export async function tokenCreate(args: TokenCreateArgs, io: Io): Promise<number> {
  for (const k of ['user', 'project', 'roles'] as const) if (!args[k]) throw new UsageError(`token create needs --${k}`);
  const db = await openServiceDatabase(await loadServiceConfig(args), 'current');
  try {
    const roles = args
      .roles!.split(',')
      .map((r) => r.trim())
      .filter(Boolean);
    io.out(await db.tokens.create({ userId: args.user!, projectId: args.project!, roles }, args.description ? { description: args.description } : {}));
  } finally {
    await db.close();
  }
  return EXIT.ok;
}

export const tokenCreateCommand: Command = {
  name: 'token create',
  summary: 'Create a token in the database; prints only the token',
  description:
    'The token goes to the database `serve` uses ([database] connection, else <data dir>/glance.sqlite), so every node sharing it accepts the token.',
  options: {
    ...serviceOptions,
    user: { type: 'string', value: 'USER', help: 'the user id the token stands for' },
    project: { type: 'string', value: 'PROJECT', help: 'the project id the token is scoped to' },
    roles: { type: 'string', value: 'R1,R2', help: 'roles, comma-separated (admin, member, reader)' },
    description: { type: 'string', value: 'TEXT', help: 'what the token is for; `token list` shows it' },
  },
  run: (v, _p, io) => tokenCreate(v as TokenCreateArgs, io),
};
