import { describe, expect, it } from 'vitest';
import { elevate, impliedRoles } from './credentials.js';

describe('impliedRoles', () => {
  it('adds what Keystone implies: admin ⊃ member ⊃ reader', () => {
    expect(impliedRoles(['admin'])).toEqual(['admin', 'member', 'reader']);
    expect(impliedRoles(['member'])).toEqual(['member', 'reader']);
    expect(impliedRoles(['reader'])).toEqual(['reader']);
    expect(impliedRoles(['service'])).toEqual(['service']);
  });

  it('keeps the given spelling and lists each role once, whatever its case', () => {
    expect(impliedRoles(['Admin', 'Reader'])).toEqual(['Admin', 'Reader', 'member']);
    expect(impliedRoles(['member', 'admin'])).toEqual(['member', 'admin', 'reader']);
    expect(impliedRoles([])).toEqual([]);
  });
});

describe('elevate', () => {
  it("adds the admin role once and sets is_admin, as Glance's context.elevated()", () => {
    const creds = { user_id: 'u', project_id: 'p', roles: ['member'] };
    expect(elevate(creds)).toEqual({ user_id: 'u', project_id: 'p', roles: ['member', 'admin'], is_admin: true });
    expect(elevate({ ...creds, roles: ['ADMIN'] }).roles).toEqual(['ADMIN']);
    expect(creds.roles).toEqual(['member']);
  });
});
