import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runMain } from '../host.fixture.js';

// token create, list and revoke on the embedded default (SQLite in the data dir), as `serve` reads it.

const dataDir = mkdtempSync(path.join(tmpdir(), 'gi-cli-tokens-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

const run = (...argv: string[]) => runMain([...argv, '--data-dir', dataDir]);

describe('glance-import token list / revoke', () => {
  it('lists tokens by id, never the token; revokes by a unique start of the id or by the token itself', async () => {
    await runMain(['db', 'sync', '--data-dir', dataDir]);
    expect(await run('token', 'list')).toEqual({ code: 0, stdout: 'No tokens.\n', stderr: '' });
    const alice = (await run('token', 'create', '--user', 'alice', '--project', 'p1', '--roles', 'member,reader', '--description', 'ci runner')).stdout.trim();
    const bob = (await run('token', 'create', '--user', 'bob', '--project', 'p2', '--roles', 'reader')).stdout.trim();

    const table = await run('token', 'list');
    expect(table.code).toBe(0);
    const lines = table.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^ID +USER +PROJECT +ROLES +CREATED +EXPIRES +DESCRIPTION$/);
    expect(lines[1]).toMatch(/^[0-9a-f]{12} +alice +p1 +member,reader +\d{4}-\S+ +never +ci runner$/);
    expect(lines[2]).toMatch(/^[0-9a-f]{12} +bob +p2 +reader +\d{4}-\S+ +never$/);
    expect(table.stdout).not.toContain(alice);
    const listed = JSON.parse((await run('token', 'list', '--json')).stdout) as Array<{ id: string; userId: string }>;
    expect(listed.map((t) => t.userId)).toEqual(['alice', 'bob']);

    const aliceId = listed[0]!.id;
    expect(await run('token', 'revoke', aliceId.slice(0, 8))).toEqual({ code: 0, stdout: `revoked token ${aliceId.slice(0, 12)}\n`, stderr: '' });
    expect(await run('token', 'revoke', bob, '--json')).toEqual({ code: 0, stdout: '{"revoked":true}\n', stderr: '' });
    expect(await run('token', 'list')).toMatchObject({ stdout: 'No tokens.\n' });

    const gone = await run('token', 'revoke', aliceId.slice(0, 8));
    expect(gone).toMatchObject({ code: 1, stdout: '' });
    expect(gone.stderr).toBe(
      `error GI_CLI_TOKEN_NOT_FOUND: No token matches '${aliceId.slice(0, 8)}'.\n  hint: \`glance-import token list\` shows the ids of the tokens of this database (the token itself is never stored).\n`,
    );
  });

  it('a start shared by several ids is GI_CLI_TOKEN_AMBIGUOUS', async () => {
    for (let i = 0; i < 20; i++) await run('token', 'create', '--user', `u${i}`, '--project', 'p', '--roles', 'reader');
    const ids = (JSON.parse((await run('token', 'list', '--json')).stdout) as Array<{ id: string }>).map((t) => t.id);
    const shared = [...'0123456789abcdef'].find((c) => ids.filter((id) => id.startsWith(c)).length > 1)!;
    const r = await run('token', 'revoke', shared);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`^error GI_CLI_TOKEN_AMBIGUOUS: '${shared}' is the start of \\d+ token ids\\.\\n`));
  });
});
