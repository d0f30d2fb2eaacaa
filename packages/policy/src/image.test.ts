import { describe, expect, it } from 'vitest';
import { isGlanceImportError } from '@glance-import/errors';
import type { Credentials } from './credentials.js';
import { PolicyEnforcer } from './enforcer.js';
import { enforceImage, enforceVisibility, imageTarget, newImageTarget, type ImageLike } from './image.js';

const owner: Credentials = { user_id: 'u1', project_id: 'p1', roles: ['member'] };
const ownerReader: Credentials = { user_id: 'u2', project_id: 'p1', roles: ['reader'] };
const other: Credentials = { user_id: 'u3', project_id: 'p2', roles: ['member'] };
const image = (visibility: string, extra: Partial<ImageLike> = {}): ImageLike => ({ id: 'img-1', owner: 'p1', visibility, ...extra });

/** The code thrown, or 'ok'. */
function outcome(run: () => void): string {
  try {
    run();
    return 'ok';
  } catch (e) {
    if (!isGlanceImportError(e)) throw e;
    return `${e.code} ${e.status}`;
  }
}

describe('imageTarget', () => {
  it("maps like Glance's ImageTarget: project_id is the owner, id the image id, member_id the member", () => {
    const target = imageTarget({ id: 'img-1', owner: 'p1', visibility: 'shared', member: 'p2', status: 'active' });
    expect(target).toMatchObject({ project_id: 'p1', owner: 'p1', id: 'img-1', image_id: 'img-1', member_id: 'p2', visibility: 'shared', status: 'active' });
    expect(imageTarget({ id: 'img-1', owner: 'p1', member: 'p2' }, { member: 'p3' })['member_id']).toBe('p3');
  });

  it('flattens extra properties, lets attributes win, and leaves locations out', () => {
    const target = imageTarget({
      id: 'img-1',
      owner: 'p1',
      name: 'real',
      locations: [{ url: 'file:///x' }],
      extraProperties: { hw_arch: 'x86_64', name: 'shadow' },
      extra_properties: { os_distro: 'debian' },
    });
    expect(target).toMatchObject({ hw_arch: 'x86_64', os_distro: 'debian', name: 'real' });
    expect(target).not.toHaveProperty('locations');
    expect(target).not.toHaveProperty('extraProperties');
    expect(target).not.toHaveProperty('extra_properties');
  });

  it("takes a service record's `properties` as the same bag: the record goes in as it is", () => {
    const record = {
      id: 'img-1',
      owner: 'p1',
      name: 'real',
      tags: ['a'],
      properties: { hw_arch: 'x86_64', name: 'shadow' },
      locations: [{ url: 'file:///x' }],
    };
    expect(imageTarget(record)).toEqual({
      hw_arch: 'x86_64',
      id: 'img-1',
      owner: 'p1',
      name: 'real',
      tags: ['a'],
      project_id: 'p1',
      image_id: 'img-1',
      member_id: null,
    });
  });

  it('reads a missing owner or member as None, so ownership and membership checks fail', async () => {
    const enforcer = await PolicyEnforcer.load();
    const target = imageTarget({ id: 'img-1', visibility: 'private' });
    expect(target).toMatchObject({ project_id: null, owner: null, member_id: null });
    expect(enforcer.check('get_image', target, owner)).toBe(false);
    expect(enforcer.check('get_image', target, { ...owner, project_id: 'None' })).toBe(true);
  });
});

describe('newImageTarget', () => {
  it("proposes the caller's project and private visibility unless told otherwise", () => {
    expect(newImageTarget({}, owner)).toEqual({ project_id: 'p1', owner: 'p1', visibility: 'private' });
    expect(newImageTarget({ owner: 'p2', visibility: 'public' }, owner)).toEqual({ project_id: 'p2', owner: 'p2', visibility: 'public' });
  });
});

describe('enforceImage', () => {
  it('allows what the rule allows', async () => {
    const enforcer = await PolicyEnforcer.load();
    expect(outcome(() => enforceImage(enforcer, 'modify_image', image('private'), owner))).toBe('ok');
  });

  it('answers 403 to a caller who can see the image, 404 to one who cannot', async () => {
    const enforcer = await PolicyEnforcer.load();
    expect(outcome(() => enforceImage(enforcer, 'modify_image', image('private'), ownerReader))).toBe('GI_POLICY_FORBIDDEN 403');
    expect(outcome(() => enforceImage(enforcer, 'modify_image', image('public'), other))).toBe('GI_POLICY_FORBIDDEN 403');
    expect(outcome(() => enforceImage(enforcer, 'modify_image', image('private'), other))).toBe('GI_POLICY_HIDDEN 404');
    expect(outcome(() => enforceImage(enforcer, 'get_image', image('private'), other))).toBe('GI_POLICY_HIDDEN 404');
    expect(outcome(() => enforceImage(enforcer, 'copy_image', image('shared', { member: 'p2' }), other))).toBe('GI_POLICY_FORBIDDEN 403');
  });

  it("follows Glance's test_image_stage: modify_image decides, get_image only hides", async () => {
    const stage = async (rules: Record<string, string>) => {
      const enforcer = await PolicyEnforcer.load({ rules });
      return outcome(() => enforceImage(enforcer, 'modify_image', image('private'), owner));
    };
    expect(await stage({ get_image: '!', modify_image: '' })).toBe('ok');
    expect(await stage({ modify_image: '!' })).toBe('GI_POLICY_FORBIDDEN 403');
    expect(await stage({ get_image: '!', modify_image: '!' })).toBe('GI_POLICY_HIDDEN 404');
  });

  it('names the rule in a 403 and nothing about the image in a 404', async () => {
    const enforcer = await PolicyEnforcer.load();
    const thrown = (creds: Credentials) => {
      try {
        enforceImage(enforcer, 'delete_image', image('private'), creds);
      } catch (e) {
        return e as Error & { details: unknown };
      }
      throw new Error('expected a refusal');
    };
    expect(thrown(ownerReader).message).toBe('You are not authorized to complete delete_image action.');
    expect(thrown(other).message).toBe('The resource could not be found.');
    expect(thrown(other).details).toEqual({ rule: 'delete_image', image: 'img-1' });
  });
});

describe('enforceVisibility', () => {
  it('checks publicize_image and communitize_image, and answers 403', async () => {
    const enforcer = await PolicyEnforcer.load();
    const target = imageTarget(image('private'));
    expect(outcome(() => enforceVisibility(enforcer, 'public', target, owner))).toBe('GI_POLICY_FORBIDDEN 403');
    expect(outcome(() => enforceVisibility(enforcer, 'public', target, { ...owner, roles: ['admin'] }))).toBe('ok');
    expect(outcome(() => enforceVisibility(enforcer, 'community', target, owner))).toBe('ok');
    expect(outcome(() => enforceVisibility(enforcer, 'community', target, ownerReader))).toBe('GI_POLICY_FORBIDDEN 403');
    expect(outcome(() => enforceVisibility(enforcer, 'shared', target, ownerReader))).toBe('ok');
    expect(outcome(() => enforceVisibility(enforcer, undefined, target, ownerReader))).toBe('ok');
  });
});
