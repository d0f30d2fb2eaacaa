import { def, defineErrors } from '@glance-import/core';

/**
 * The command line's own error codes: what goes wrong between the command and the Image API, or
 * with what the operator gave it. Errors of the service keep their own codes (the server's answer
 * carries them). Codes are never reused or renumbered: scripts match on them.
 */
export const cliErrors = defineErrors('GI_CLI_', {
  GI_CLI_UNREACHABLE: def<{ endpoint: string; call: string; reason: string }>({
    message: (p) => `Cannot reach the Image API at ${p.endpoint} (${p.call}: ${p.reason}).`,
    hint: 'Is `glance-import serve` running there? Check OS_IMAGE_URL (or --endpoint): scheme, host and port.',
  }),
  GI_CLI_NOT_JSON: def<{ call: string; status: number }>({
    message: (p) => `${p.call} answered ${p.status} with something that is not JSON.`,
    hint: 'OS_IMAGE_URL (or --endpoint) must be the Image API itself, not a web page or a proxy login in front of it.',
  }),
  GI_CLI_WAIT_TIMEOUT: def<{ imageId: string; seconds: number; status: string }>({
    message: (p) => `The Image API did not answer for ${p.seconds} s while waiting for the import of image ${p.imageId} (last seen: ${p.status}).`,
    hint: (p) => `The import goes on without this command: \`glance-import image show ${p.imageId}\` shows how it ended once the service is back.`,
  }),
  GI_CLI_TOKEN_NOT_FOUND: def<{ id: string }>({
    message: (p) => `No token matches '${p.id}'.`,
    hint: '`glance-import token list` shows the ids of the tokens of this database (the token itself is never stored).',
  }),
  GI_CLI_TOKEN_AMBIGUOUS: def<{ id: string; matches: number }>({
    message: (p) => `'${p.id}' is the start of ${p.matches} token ids.`,
    hint: 'Give more of the id, as `glance-import token list` prints it.',
  }),
  GI_CLI_TARGET_EXISTS: def<{ dir: string }>({
    message: (p) => `${p.dir} already exists and is not empty.`,
    hint: 'Choose another NAME or --dir; nothing was written.',
  }),
  GI_CLI_UNEXPECTED: def<{ reason: string }>({
    message: (p) => `Unexpected failure: ${p.reason}`,
    hint: 'This is a bug in glance-import: run the command again with GI_DEBUG=1 to see where it failed, and report it.',
  }),
});

export const cliError = cliErrors.error;
