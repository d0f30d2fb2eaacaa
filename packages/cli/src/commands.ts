import type { Command } from './command.js';
import { completionCommand } from './commands/completion.js';
import { configCheckCommand } from './commands/config-check.js';
import { dbSyncCommand } from './commands/db-sync.js';
import { dbVersionCommand } from './commands/db-version.js';
import { imageDeleteCommand } from './commands/image-delete.js';
import { imageImportCommand } from './commands/image-import.js';
import { imageListCommand } from './commands/image-list.js';
import { imageShowCommand } from './commands/image-show.js';
import { pluginsListCommand } from './commands/plugins-list.js';
import { pluginsNewCommand } from './commands/plugins-new.js';
import { serveCommand } from './commands/serve.js';
import { taskShowCommand } from './commands/task-show.js';
import { tokenCreateCommand } from './commands/token-create.js';
import { tokenListCommand } from './commands/token-list.js';
import { tokenRevokeCommand } from './commands/token-revoke.js';

/** Every command of `glance-import`, in the order `--help` lists them. */
export const COMMANDS: readonly Command[] = [
  serveCommand,
  tokenCreateCommand,
  tokenListCommand,
  tokenRevokeCommand,
  imageImportCommand,
  imageListCommand,
  imageShowCommand,
  imageDeleteCommand,
  taskShowCommand,
  dbSyncCommand,
  dbVersionCommand,
  pluginsListCommand,
  pluginsNewCommand,
  configCheckCommand,
  completionCommand,
];
