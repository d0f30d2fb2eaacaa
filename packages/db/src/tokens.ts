import { createHash, randomBytes } from 'node:crypto';
import type { SqlDriver } from './sql/driver.js';
import { now } from './rows.js';
import type { Identity, TokenInfo } from './types.js';

const digest = (token: string) => createHash('sha256').update(token).digest('hex');

/** Bearer tokens of the data dir. Only a hash is stored, so the database never holds a usable token. */
export class TokenRepository {
  constructor(private readonly db: SqlDriver) {}

  async create(identity: Identity, opts: { description?: string; expiresAt?: Date } = {}): Promise<string> {
    const token = `gi_${randomBytes(24).toString('base64url')}`;
    await this.db.execute('INSERT INTO tokens (token_hash, user_id, project_id, roles, description, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
      [digest(token), identity.userId, identity.projectId, JSON.stringify(identity.roles), opts.description ?? null, now(), opts.expiresAt?.toISOString() ?? null]);
    return token;
  }

  async verify(token: string, at = new Date()): Promise<TokenInfo | undefined> {
    const r = (await this.db.query<Record<string, string | null>>('SELECT user_id, project_id, roles, description, created_at, expires_at FROM tokens WHERE token_hash = ?', [digest(token)]))[0];
    if (!r || (r.expires_at && r.expires_at < at.toISOString())) return undefined;
    return { userId: r.user_id!, projectId: r.project_id!, roles: JSON.parse(r.roles!) as string[], description: r.description ?? null, createdAt: r.created_at!, expiresAt: r.expires_at ?? null };
  }

  async count(): Promise<number> {
    return Number((await this.db.query<{ n: number }>('SELECT COUNT(*) AS n FROM tokens'))[0]?.n ?? 0);
  }

  async revoke(token: string): Promise<boolean> {
    return (await this.db.execute('DELETE FROM tokens WHERE token_hash = ?', [digest(token)])) === 1;
  }
}
