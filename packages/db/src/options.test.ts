import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig } from '@glance-import/core';
import { describe, expect, it } from 'vitest';
import { databaseGroups, databaseSettings } from './options.js';

const conf = (text: string) => {
  const f = path.join(mkdtempSync(path.join(tmpdir(), 'gi-db-conf-')), 'glance-api.conf');
  writeFileSync(f, text);
  return loadConfig({ configFiles: [f], searchFrom: false, schema: databaseGroups });
};

describe('[database]', () => {
  it('connection names the database, with the pool options Glance has; unset, it is the SQLite file in the data dir', async () => {
    const pgConfig = await conf('[database]\nconnection = postgresql+psycopg2://glance:pw@10.0.0.5/glance\nmax_pool_size = 10\npool_timeout = 7\n');
    expect(databaseSettings(pgConfig, '/srv/data')).toEqual({
      url: 'postgresql+psycopg2://glance:pw@10.0.0.5/glance',
      inDataDir: false,
      pool: { max: 10, timeoutSeconds: 7, recycleSeconds: 3600 },
    });
    expect(databaseSettings(await conf(''), '/srv/data')).toEqual({
      url: 'sqlite:///srv/data/glance.sqlite',
      inDataDir: true,
      pool: { max: 5, timeoutSeconds: 30, recycleSeconds: 3600 },
    });
  });

  it('accepts the oslo.db options glance-import does not use, and refuses one that does not exist, with a suggestion', async () => {
    const c = await conf('[database]\nconnection = sqlite:///x\nmax_overflow = 50\nmysql_sql_mode = TRADITIONAL\nconnection_debug = 0\n');
    expect(c.notices).toEqual([]);
    await expect(conf('[database]\nmax_pool_sise = 3\n')).rejects.toMatchObject({
      code: 'GI_CONFIG_UNKNOWN_OPTION',
      message: expect.stringContaining("Did you mean 'max_pool_size'"),
    });
  });
});
