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
    const roles = args.roles!.split(',').map((r) => r.trim()).filter(Boolean);
    io.out(await db.tokens.create({ userId: args.user!, projectId: args.project!, roles }, args.description ? { description: args.description } : {}));
  } finally {
    await db.close();
  }
  return EXIT.ok;
}
