import { definePlugin, defineTask, linearFlow } from '@glance-import/core';
import { afterEach, describe, expect, it } from 'vitest';
import { harness, type Harness } from '../testing/harness.fixture.js';

let h: Harness;
afterEach(async () => {
  await h?.close();
});

const plugin = definePlugin({ getFlow: () => linearFlow('p', {}, defineTask({ name: 'P', execute: () => {} })) });

describe('GET /v2/info/plugins', () => {
  it('answers an admin with the plugins in config order, a skipped one with its load error and hint, the others after', async () => {
    h = await harness({
      ini: { image_import_opts: { image_import_plugins: ['alpha', 'no_such_plugin'] }, glance_import: { plugin_load_errors: 'warn' } },
      plugins: { alpha: plugin, beta: plugin },
    });
    const r = await h.req('GET', '/v2/info/plugins', { token: h.tokens.admin });
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({
      namespace: 'glance.image_import.plugins',
      plugin_load_errors: 'warn',
      image_import_plugins: ['alpha', 'no_such_plugin'],
      metadata_errors: [],
      warnings: [],
    });
    expect(r.json.plugins).toEqual([
      { name: 'alpha', package: expect.any(String), version: expect.any(String), compatible: true, order: 1, loaded: true, error: null },
      {
        name: 'no_such_plugin',
        package: null,
        version: null,
        compatible: null,
        order: 2,
        loaded: false,
        error: { code: 'GI_REGISTRY_NOT_FOUND', message: expect.stringContaining("'no_such_plugin'"), hint: expect.stringMatching(/\S/) },
      },
      { name: 'beta', package: expect.any(String), version: expect.any(String), compatible: true, order: null, loaded: false, error: null },
    ]);
  });

  it('is refused to members and readers (get_import_plugins: admin)', async () => {
    h = await harness();
    for (const token of [h.tokens.member, h.tokens.reader]) {
      const r = await h.req('GET', '/v2/info/plugins', { token, headers: { accept: 'application/json' } });
      expect(r.status).toBe(403);
    }
    expect((await h.req('GET', '/v2/info/plugins', { token: null })).status).toBe(401);
  });
});
