import { serviceOptions, jsonOption, type Command } from '../command.js';
import { cliError } from '../errors.js';
import { EXIT, type Io } from '../io.js';
import { loadServiceConfig, openServiceDatabase, type ServiceArgs } from '../service-config.js';
import { SHORT_ID } from './token-list.js';

export interface TokenRevokeArgs extends ServiceArgs {
  json?: boolean;
}

/**
 * `glance-import token revoke ID|TOKEN`: remove a token from the database every node reads, by the
 * id `token list` prints (any unique start of it) or by the token itself. Calls with it fail at once.
 */
export async function tokenRevoke(args: TokenRevokeArgs, positionals: string[], io: Io): Promise<number> {
  const given = positionals[0]!;
  const db = await openServiceDatabase(await loadServiceConfig(args), 'current');
  try {
    let id: string | undefined;
    if (given.startsWith('gi_')) {
      if (!(await db.tokens.revoke(given))) throw cliError('GI_CLI_TOKEN_NOT_FOUND', { id: `${given.slice(0, 6)}…` });
    } else {
      const matches = (await db.tokens.list()).filter((t) => t.id.startsWith(given.toLowerCase()));
      if (matches.length === 0 || given.length === 0) throw cliError('GI_CLI_TOKEN_NOT_FOUND', { id: given });
      if (matches.length > 1) throw cliError('GI_CLI_TOKEN_AMBIGUOUS', { id: given, matches: matches.length });
      id = matches[0]!.id;
      await db.tokens.revokeById(id);
    }
    if (args.json) io.out(JSON.stringify({ ...(id ? { id } : {}), revoked: true }));
    else io.out(id ? `revoked token ${id.slice(0, SHORT_ID)}` : 'revoked the given token');
  } finally {
    await db.close();
  }
  return EXIT.ok;
}

export const tokenRevokeCommand: Command = {
  name: 'token revoke',
  summary: 'Revoke a token, by the id `token list` prints or by the token itself',
  positionals: [{ name: 'ID', help: 'a token id (any unique start of it) or the token (gi_...)' }],
  options: { ...serviceOptions, ...jsonOption },
  run: (v, p, io) => tokenRevoke(v as TokenRevokeArgs, p, io),
};
