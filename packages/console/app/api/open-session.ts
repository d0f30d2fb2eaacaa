import { Api, ApiError, ConnectionLost } from './client';
import { Connection } from './connection';

/**
 * Check a token against the API and find out what the caller may see: any signed-in caller may read
 * its usage (`/v2/info/usage`); the admin views are shown when the admin-only `/v2/info/plugins`
 * answers. The API decides, the console only follows.
 */
export async function openSession(token: string, onUnauthorized: (e: ApiError) => void): Promise<{ api: Api; isAdmin: boolean }> {
  const connection = new Connection();
  // Refusals while signing in are answered here; once signed in, a 401 signs the tab out.
  let ready = false;
  const api = new Api(token, connection, (e) => {
    if (ready) onUnauthorized(e);
  });
  try {
    await api.get('/v2/info/usage');
  } catch (e) {
    connection.close();
    if (e instanceof ApiError && e.status === 401)
      throw new ApiError(
        401,
        'The token was refused: it is unknown or has expired.',
        e.code,
        'Create one with `glance-import token create` and paste what it prints.',
      );
    if (e instanceof ConnectionLost) throw new Error('The server cannot be reached.');
    throw e;
  }
  let isAdmin = false;
  try {
    await api.get('/v2/info/plugins');
    isAdmin = true;
  } catch (e) {
    if (!(e instanceof ApiError) || (e.status !== 403 && e.status !== 404)) throw e;
  }
  ready = true;
  return { api, isAdmin };
}
