import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig, resolveImportPlugins, silentLogger, type ImportContext } from '@glance-import/core';
import { MemoryImage, registryFromPlugins, runPlugin } from '@glance-import/testing';
import { describe, expect, it } from 'vitest';
import { getFlow } from './index.js';
import { injectTask, type InjectOptions } from './task.js';

const fixture = () => {
  const f = path.join(mkdtempSync(path.join(tmpdir(), 'inject-')), 'disk.raw');
  writeFileSync(f, 'data');
  return f;
};
const member = { roles: ['member', 'reader'] };

describe('inject_image_metadata', () => {
  it('sets the inject properties for a user without an ignored role', async () => {
    const run = await runPlugin(getFlow, { file: fixture(), identity: member, options: { inject: "hw_cpu_policy:dedicated, 'aggregate':'gpu:a100'" } });
    expect(run.ok).toBe(true);
    expect(run.changes).toEqual({
      'properties.hw_cpu_policy': { from: undefined, to: 'dedicated' },
      'properties.aggregate': { from: undefined, to: 'gpu:a100' },
    });
    expect(run.readData().toString()).toBe('data');
  });

  it('injects nothing for an admin, by default (ignore_user_roles = admin), as Glance', async () => {
    const run = await runPlugin(getFlow, { file: fixture(), identity: { roles: ['member', 'admin'] }, options: { inject: 'a:1' } });
    expect(run.ok).toBe(true);
    expect(run.changes).toEqual({});
    expect(run.logs.find((l) => l.msg.startsWith('Not injecting'))?.fields).toMatchObject({ roles: ['admin'] });
  });

  it('uses the configured ignore_user_roles: any one of them skips, none of them injects', async () => {
    const options = { inject: 'a:1', ignore_user_roles: 'auditor, service' };
    const skipped = await runPlugin(getFlow, { file: fixture(), identity: { roles: ['service'] }, options });
    const injected = await runPlugin(getFlow, { file: fixture(), identity: { roles: ['admin'] }, options });
    expect(skipped.changes).toEqual({});
    expect(injected.changes).toEqual({ 'properties.a': { from: undefined, to: '1' } });
  });

  it('does nothing when inject is empty (the default)', async () => {
    const run = await runPlugin(getFlow, { file: fixture(), identity: member });
    expect(run.ok).toBe(true);
    expect(run.changes).toEqual({});
  });

  it('overwrites an existing property, and revert puts back the old value and removes what it added', async () => {
    const run = await runPlugin(getFlow, {
      file: fixture(),
      identity: member,
      failAfter: true,
      image: { extraProperties: { hw_cpu_policy: 'shared', keep: 'me' } },
      options: { inject: { hw_cpu_policy: 'dedicated', added: 'x' } },
    });
    expect(run.reverted).toContain('InjectMetadataProperties');
    expect(run.image.extraProperties).toEqual({ hw_cpu_policy: 'shared', keep: 'me' });
    expect(run.changes).toEqual({});
    // Its own revert did it, before the framework's undo would have.
    expect(run.changesBeforeUndo).toEqual({});
  });

  it.each([
    ['a base attribute', { size: '1' }, "'size' (a base image attribute)"],
    ['a read-only attribute', { os_hash_value: 'x' }, "'os_hash_value' (a base image attribute)"],
    ['the reserved namespace', { os_glance_import_task: 'x' }, "'os_glance_import_task' (reserved os_glance* namespace)"],
    ['a key over 255 characters', { ['k'.repeat(256)]: 'x' }, '(longer than 255 characters)'],
  ])('refuses %s when the options are validated', async (_name, inject, reason) => {
    await expect(runPlugin(getFlow, { file: fixture(), options: { inject } })).rejects.toMatchObject({
      code: 'GI_PLUGIN_INVALID_OPTIONS',
      message: expect.stringContaining(reason),
    });
  });

  it('fails config loading (what `glance-import config check` runs) for a forbidden key in an INI file', async () => {
    const ini = path.join(mkdtempSync(path.join(tmpdir(), 'inject-conf-')), 'glance-image-import.conf');
    writeFileSync(ini, '[image_import_opts]\nimage_import_plugins = inject_image_metadata\n\n[inject_metadata_properties]\ninject = owner:someone, ok:1\n');
    const config = await loadConfig({ configFiles: [ini], searchFrom: false });
    const registry = registryFromPlugins({ inject_image_metadata: getFlow });
    await expect(resolveImportPlugins(registry, config)).rejects.toMatchObject({
      code: 'GI_PLUGIN_INVALID_OPTIONS',
      message: expect.stringMatching(/glance-image-import\.conf:5.*'owner' \(a base image attribute\)/),
    });
  });
});

describe('InjectMetadataProperties task', () => {
  const context = (image: MemoryImage, options: InjectOptions) =>
    ({
      taskId: 't',
      imageId: image.initial.id,
      options,
      image,
      logger: silentLogger,
      identity: { userId: 'u', projectId: 'p', roles: ['member'], isAdmin: false },
    }) as unknown as ImportContext<InjectOptions>;
  const atom = { signal: new AbortController().signal, flowId: 'f', atom: 'InjectMetadataProperties', attempt: 1 };

  it('on revert, leaves alone a value changed by someone else since it was injected', async () => {
    const image = new MemoryImage({ id: 'i', extraProperties: { a: 'old' } });
    const task = injectTask(context(image, { ignore_user_roles: [], inject: { a: 'new', b: 'new' } }));
    const record = await task.execute({}, atom);
    await image.setExtraProperties({ a: 'edited' });
    await task.revert!({}, { kind: 'success', value: record, flowFailures: [] }, atom);
    expect(image.snapshot().extraProperties).toEqual({ a: 'edited' });
  });

  it('refuses forbidden keys even when a host skipped option validation', async () => {
    const image = new MemoryImage({ id: 'i' });
    const task = injectTask(context(image, { ignore_user_roles: [], inject: { status: 'active', os_glance_x: 'y' } }));
    await expect(task.execute({}, atom)).rejects.toMatchObject({ code: 'GI_INJECT_FORBIDDEN_PROPERTY' });
    expect(image.snapshot().extraProperties).toEqual({});
  });
});
