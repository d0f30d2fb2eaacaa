import { describe, expect, it } from 'vitest';
import { defaultDatabaseUrl, hidePassword, parseDatabaseUrl } from './url.js';

describe('parseDatabaseUrl', () => {
  it("reads Glance's [database] connection forms: sqlite:///<absolute path>, :memory:, postgresql:// with or without a driver suffix", () => {
    expect(parseDatabaseUrl('sqlite:///var/lib/glance/glance.sqlite')).toEqual({
      engine: 'sqlite',
      file: '/var/lib/glance/glance.sqlite',
      shown: 'sqlite:///var/lib/glance/glance.sqlite',
    });
    expect(parseDatabaseUrl(defaultDatabaseUrl('/srv/data'))).toMatchObject({ engine: 'sqlite', file: '/srv/data/glance.sqlite' });
    expect(parseDatabaseUrl(':memory:')).toMatchObject({ engine: 'sqlite', file: ':memory:' });
    expect(parseDatabaseUrl('postgresql://glance:s3cret@db.example:5432/glance')).toEqual({
      engine: 'postgres',
      connectionString: 'postgresql://glance:s3cret@db.example:5432/glance',
      shown: 'postgresql://glance:***@db.example:5432/glance',
    });
    expect(parseDatabaseUrl('postgresql+psycopg2://glance:pw@127.0.0.1/glance?sslmode=disable')).toMatchObject({
      engine: 'postgres',
      connectionString: 'postgresql://glance:pw@127.0.0.1/glance?sslmode=disable',
    });
    expect(parseDatabaseUrl('postgres://u@h/d')).toMatchObject({ engine: 'postgres', connectionString: 'postgresql://u@h/d', shown: 'postgres://u@h/d' });
  });

  it('refuses MySQL, unknown schemes and a SQLite URL without an absolute path, with the password hidden', () => {
    expect(() => parseDatabaseUrl('mysql+pymysql://glance:pw@db/glance')).toThrow(
      expect.objectContaining({
        code: 'GI_DB_URL_INVALID',
        message: "Database URL 'mysql+pymysql://glance:***@db/glance' is not usable: MySQL is not supported; use PostgreSQL or the embedded SQLite.",
      }),
    );
    expect(() => parseDatabaseUrl('oracle://x/y')).toThrow(expect.objectContaining({ code: 'GI_DB_URL_INVALID' }));
    expect(() => parseDatabaseUrl('sqlite://relative.db')).toThrow(
      expect.objectContaining({ code: 'GI_DB_URL_INVALID', message: expect.stringContaining("'sqlite:///<absolute path>'") }),
    );
  });

  it('hides only the password', () => {
    expect(hidePassword('postgresql://u:p%40ss@h:5432/d?x=1')).toBe('postgresql://u:***@h:5432/d?x=1');
    expect(hidePassword('postgresql://u@h/d')).toBe('postgresql://u@h/d');
    expect(hidePassword('sqlite:///a:b@c')).toBe('sqlite:///a:b@c');
  });
});
