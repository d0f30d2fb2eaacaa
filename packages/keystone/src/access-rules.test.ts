import { describe, expect, it } from 'vitest';
import { allowedByAccessRules, pathMatches } from './access-rules.js';
import { readToken } from './token-info.js';
import { demoToken } from './token.fixture.js';

describe('pathMatches', () => {
  it('{name} and * match one segment, ** any number', () => {
    expect(pathMatches('/v2/images/abc', '/v2/images/{image_id}')).toBe(true);
    expect(pathMatches('/v2/images/abc/file', '/v2/images/{image_id}')).toBe(false);
    expect(pathMatches('/v2/images/abc/file', '/v2/images/*/file')).toBe(true);
    expect(pathMatches('/v2/images/abc/file', '/v2/**')).toBe(true);
    expect(pathMatches('/v2/images', '/v2/images')).toBe(true);
    expect(pathMatches('/v2/imagesX', '/v2/images')).toBe(false);
    expect(pathMatches('/v2/images.json', '/v2/images.json')).toBe(true);
    expect(pathMatches('/v2/imagesxjson', '/v2/images.json')).toBe(false);
  });
});

describe('allowedByAccessRules', () => {
  const withRules = readToken({
    token: { ...demoToken().token, application_credential: { id: 'a', access_rules: [{ service: 'image', method: 'GET', path: '/v2/images' }] } },
  })!;
  const call = { method: 'GET', path: '/v2/images', serviceType: 'image', withServiceToken: false };

  it('lets any ordinary token through', () => {
    expect(allowedByAccessRules(readToken(demoToken())!, { ...call, serviceType: undefined })).toBe(true);
  });

  it('restricts an application credential to its rules, and needs service_type in the catalog', () => {
    expect(allowedByAccessRules(withRules, call)).toBe(true);
    expect(allowedByAccessRules(withRules, { ...call, method: 'DELETE' })).toBe(false);
    expect(allowedByAccessRules(withRules, { ...call, path: '/v2/images/x' })).toBe(false);
    expect(allowedByAccessRules(withRules, { ...call, serviceType: undefined })).toBe(false);
    expect(allowedByAccessRules(withRules, { ...call, serviceType: 'volume' })).toBe(false);
    expect(allowedByAccessRules(withRules, { ...call, method: 'DELETE', withServiceToken: true })).toBe(true);
  });
});
