import { describe, expect, it } from 'vitest';
import { demoToken } from './token.fixture.js';
import { readToken, scopeOf } from './token-info.js';

describe('readToken', () => {
  it("reads what keystonemiddleware turns into headers from Keystone's validation answer", () => {
    const t = readToken(demoToken())!;
    expect(t).toMatchObject({
      userId: '0d45bec5c1204889b587d3c7a9e4ecb6',
      userName: 'demo',
      userDomainId: 'default',
      userDomainName: 'Default',
      projectId: '583cede7812d4ef4a3b0ddc4682419e5',
      projectName: 'demo',
      projectDomainId: 'default',
      projectDomainName: 'Default',
      domainId: undefined,
      systemScope: undefined,
      roles: ['member', 'reader'],
      isAdminProject: true,
      auditIds: ['lMdDXVvjT9iX4h8xEzBvJw'],
      accessRules: undefined,
    });
    expect(t.expiresAt.toISOString()).toBe('2026-12-02T07:35:56.000Z');
    expect(scopeOf(t)).toBe('scoped to project demo');
  });

  it('reads domain and system scopes, is_admin_project and access rules', () => {
    const base = demoToken().token;
    const { project: _p, catalog: _c, ...rest } = base;
    expect(scopeOf(readToken({ token: { ...rest, domain: { id: 'd1', name: 'Dom' } } })!)).toBe('scoped to domain Dom');
    const sys = readToken({ token: { ...rest, system: { all: true }, is_admin_project: false } })!;
    expect([sys.systemScope, sys.isAdminProject, sys.catalog, scopeOf(sys)]).toEqual(['all', false, undefined, 'scoped to the system (all)']);
    const app = readToken({
      token: { ...base, application_credential: { id: 'a', access_rules: [{ service: 'image', method: 'GET', path: '/v2/images' }] } },
    })!;
    expect(app.accessRules).toEqual([{ service: 'image', method: 'GET', path: '/v2/images' }]);
    expect(scopeOf(readToken({ token: rest })!)).toBe('unscoped');
  });

  it('is undefined for a document that is not a token', () => {
    expect(readToken({})).toBeUndefined();
    expect(readToken({ token: { user: { id: 'u' } } })).toBeUndefined();
    expect(readToken({ token: { user: { id: 'u' }, expires_at: 'soon' } })).toBeUndefined();
  });
});
