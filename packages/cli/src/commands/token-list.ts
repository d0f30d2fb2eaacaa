import { serviceOptions, jsonOption, type Command } from '../command.js';
import { EXIT, type Io } from '../io.js';
import { loadServiceConfig, openServiceDatabase, type ServiceArgs } from '../service-config.js';
import { table } from '../table.js';

export interface TokenListArgs extends ServiceArgs {
  json?: boolean;
}

/** How much of a token's id tables show; `token revoke` takes any unique start of it. */
export const SHORT_ID = 12;

/** `glance-import token list`: the tokens of the database `serve` uses, by id; a token itself is never stored. */
export async function tokenList(args: TokenListArgs, io: Io): Promise<number> {
  const db = await openServiceDatabase(await loadServiceConfig(args), 'current');
  try {
    const tokens = await db.tokens.list();
    if (args.json) io.out(JSON.stringify(tokens, null, 2));
    else if (tokens.length === 0) io.out('No tokens.');
    else {
      const now = new Date().toISOString();
      io.out(
        table(
          [
            ['ID', 'USER', 'PROJECT', 'ROLES', 'CREATED', 'EXPIRES', 'DESCRIPTION'],
            ...tokens.map((t) => [
              t.id.slice(0, SHORT_ID),
              t.userId,
              t.projectId,
              t.roles.join(','),
              t.createdAt,
              t.expiresAt ? `${t.expiresAt}${t.expiresAt < now ? ' (expired)' : ''}` : 'never',
              t.description ?? '',
            ]),
          ],
          { columns: io.columns, keep: [0] },
        ),
      );
    }
  } finally {
    await db.close();
  }
  return EXIT.ok;
}

export const tokenListCommand: Command = {
  name: 'token list',
  summary: 'List the tokens of the database by id (a token itself is never stored)',
  options: { ...serviceOptions, ...jsonOption },
  run: (v, _p, io) => tokenList(v as TokenListArgs, io),
};
