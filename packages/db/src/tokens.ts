import { createHash, randomBytes } from 'node:crypto';
import type { SqlDriver } from './sql/driver.js';
import { now } from './rows.js';
import type { Identity, TokenInfo, TokenSummary } from './types.js';

const digest = (token: string) => createHash('sha256').update(token).digest('hex');

const FIELDS = 'token_hash, user_id, project_id, roles, description, created_at, expires_at';
type Row = Record<string, string | null>;
const summary = (r: Row): TokenSummary => ({
  id: r.token_hash!,
  userId: r.user_id!,
  projectId: r.project_id!,
  roles: JSON.parse(r.roles!) as string[],
  description: r.description ?? null,
  createdAt: r.created_at!,
  expiresAt: r.expires_at ?? null,
});

/** Bearer tokens of the data dir. Only a hash is stored, so the database never holds a usable token. */
export class TokenRepository {
  constructor(private readonly db: SqlDriver) {}

  async create(identity: Identity, opts: { description?: string; expiresAt?: Date } = {}): Promise<string> {
    const token = `gi_${randomBytes(24).toString('base64url')}`;
    await this.db.execute('INSERT INTO tokens (token_hash, user_id, project_id, roles, description, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)', [
      digest(token),
      identity.userId,
      identity.projectId,
      JSON.stringify(identity.roles),
      opts.description ?? null,
      now(),
      opts.expiresAt?.toISOString() ?? null,
    ]);
    return token;
  }

  async verify(token: string, at = new Date()): Promise<TokenInfo | undefined> {
    const r = (await this.db.query<Row>(`SELECT ${FIELDS} FROM tokens WHERE token_hash = ?`, [digest(token)]))[0];
    if (!r || (r.expires_at && r.expires_at < at.toISOString())) return undefined;
    const { id: _id, ...info } = summary(r);
    return info;
  }

  /** Every token, oldest first (expired ones too, until revoked). */
  async list(): Promise<TokenSummary[]> {
    return (await this.db.query<Row>(`SELECT ${FIELDS} FROM tokens ORDER BY created_at, token_hash`)).map(summary);
  }

  /** Revoke by id, as `list` gives it. True when a token was removed. */
  async revokeById(id: string): Promise<boolean> {
    return (await this.db.execute('DELETE FROM tokens WHERE token_hash = ?', [id])) === 1;
  }

  async count(): Promise<number> {
    return Number((await this.db.query<{ n: number }>('SELECT COUNT(*) AS n FROM tokens'))[0]?.n ?? 0);
  }

  async revoke(token: string): Promise<boolean> {
    return (await this.db.execute('DELETE FROM tokens WHERE token_hash = ?', [digest(token)])) === 1;
  }
}
