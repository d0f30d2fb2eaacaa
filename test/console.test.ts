import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, type Browser, type WatchedPage } from './support/browser.js';
import { Corpus, digest } from './support/corpus.js';
import { serve, tempDir, type RunningServer } from './support/glance-server.js';
import { reply, webSource, type WebSource } from './support/web-source.js';
import { REPO } from './support/workspace.js';

// The operator console in headless Chromium against a real `glance-import serve`: sign-in, an import
// from the browser with image_conversion, a failed import explained, what a member may see, hostile
// names shown as text, a broken plugin's load error, and a server restart under an open page.

const BROKEN_PLUGIN = path.join(REPO, 'test', 'fixtures', 'broken-plugin');
const HOSTILE = '<img src=x onerror=alert(1)>';
const LONG = 120_000;

const work = tempDir('console');
let corpus: Corpus;
let src: WebSource;
let server: RunningServer;
let confFile: string;
let browser: Browser;
let tokens: { admin: string; alice: string; bob: string };
const pages: WatchedPage[] = [];

async function api(method: string, route: string, token: string, body?: unknown): Promise<any> {
  const res = await fetch(`${server.url}${route}`, {
    method,
    headers: { 'x-auth-token': token, accept: 'application/json', ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${route}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}

/** A new tab, signed in with `token` through the sign-in form. */
async function signedIn(token: string): Promise<WatchedPage> {
  const w = await browser.newPage();
  pages.push(w);
  await w.page.goto(`${server.url}/console/`);
  await w.page.fill('#token', token);
  await w.page.click('button[type=submit]');
  await w.page.locator('header.top').waitFor();
  return w;
}

const go = async (page: Page, fragment: string) => {
  await page.goto(`${server.url}/console/${fragment}`);
};
const texts = (page: Page, selector: string) => page.locator(selector).allTextContents();

beforeAll(async () => {
  corpus = await Corpus.build(work.dir);
  src = await webSource({ '/missing.qcow2': reply.status('404 Not Found') });
  confFile = path.join(work.dir, 'glance-image-import.conf');
  writeFileSync(
    confFile,
    [
      '[image_import_opts]',
      "image_import_plugins = ['image_conversion', 'broken_plugin']",
      '',
      '[glance_import]',
      'plugin_load_errors = warn',
      `plugin_dirs = ${BROKEN_PLUGIN}`,
      '',
      '[import_filtering_opts]',
      `allowed_ports = 80, 443, ${src.port}`,
      'allow_local_addresses = true',
      '',
      '[DEFAULT]',
      'use_keystone_limits = true',
      '',
      '[glance_import_limits]',
      'image_count_total = 50',
      'image_size_total = 10240',
      '',
    ].join('\n'),
  );
  server = await serve(path.join(work.dir, 'data'), ['--config-file', confFile]);
  tokens = {
    admin: server.adminToken!,
    alice: await server.token('alice', 'p1', ['member', 'reader']),
    bob: await server.token('bob', 'p2', ['member', 'reader']),
  };
  browser = await launchChromium();
}, LONG);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await src?.close();
  work.remove();
});

describe('the operator console', () => {
  it('is served at /console with a strict Content-Security-Policy and no inline code', async () => {
    const res = await fetch(`${server.url}/console/`);
    expect(res.status).toBe(200);
    const csp = res.headers.get('content-security-policy')!;
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("style-src 'self'");
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval/);
    const html = await res.text();
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(html).not.toMatch(/<style|style=/);
  });

  it('signs in with a token kept for the tab only, never in the URL; signing out forgets it', async () => {
    const w = await signedIn(tokens.admin);
    expect(w.page.url()).not.toContain(tokens.admin);
    expect(await w.page.evaluate('Object.values(sessionStorage)')).toEqual([tokens.admin]);
    expect(await w.page.evaluate('document.cookie')).toBe('');
    expect(await texts(w.page, 'header.top nav a')).toEqual(['Images', 'Import', 'Stores', 'Plugins']);
    // Another tab has its own sessionStorage: it asks for a token.
    const other = await browser.newPage();
    pages.push(other);
    await go(other.page, '#/images');
    await other.page.locator('#token').waitFor();
    await w.page.click('text=Sign out');
    await w.page.locator('#token').waitFor();
    expect(await w.page.evaluate('sessionStorage.length')).toBe(0);
    await w.page.fill('#token', 'gi_not_a_token');
    await w.page.click('button[type=submit]');
    await w.page.locator('[role=alert]', { hasText: 'The token was refused' }).waitFor();
  });

  it(
    'uploads a qcow2 and follows its import live to active: image_conversion in config order, bytes per store',
    async () => {
      const w = await signedIn(tokens.alice);
      await go(w.page, '#/import');
      await w.page.locator('input[name=method][value=glance-direct]').check();
      await w.page.fill('input[name=name]', 'from the browser');
      await w.page.selectOption('select[name=disk_format]', 'qcow2');
      await w.page.setInputFiles('input[name=file]', corpus.sources.qcow2.file);
      await w.screenshot('import-form');
      // Uploads slowed to 1 MiB/s (the qcow2 is 1.4 MiB), so the upload's progress bar is seen moving.
      const cdp = await browser.context.newCDPSession(w.page);
      await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: 1 << 20 });
      await w.page.click('button[type=submit]');
      const upload = w.page.locator('li[data-step=stage] progress[aria-label=upload]');
      await upload.waitFor({ timeout: LONG });
      const midway = await w.page.waitForFunction(
        "(() => { const b = document.querySelector('li[data-step=stage] progress'); return b && b.value > 0 && b.value < 100 ? b.value : false; })()",
        undefined,
        { timeout: LONG, polling: 50 },
      );
      expect(await midway.jsonValue()).toBeGreaterThan(0);
      await w.screenshot('import-uploading');
      await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
      await w.page.waitForURL(/#\/images\/[0-9a-f-]{36}\/import$/, { timeout: LONG });
      const id = /images\/([0-9a-f-]{36})\/import/.exec(w.page.url())![1]!;
      await w.page.locator('.note.ok', { hasText: 'The import succeeded: the image is active.' }).waitFor({ timeout: LONG });
      await w.screenshot('import-watch');

      const steps = await Promise.all(
        (await w.page.locator('table.phases tbody tr').all()).map(async (r) => [
          await r.getAttribute('data-phase'),
          await r.getAttribute('data-state'),
          await r.locator('td').nth(2).textContent(),
        ]),
      );
      expect(steps).toEqual([
        ['ImageLock', 'done', ''],
        ['VerifyStaging', 'done', ''],
        ['Inspect-staged', 'done', ''],
        ['Convert_Image', 'done', 'image_conversion'],
        ['Inspect-image_conversion', 'done', ''],
        ['ImportToStore', 'done', ''],
        ['DeleteFromStaging', 'done', ''],
        ['CompleteTask', 'done', ''],
      ]);
      const image = await api('GET', `/v2/images/${id}`, tokens.alice);
      expect(image).toMatchObject({
        status: 'active',
        name: 'from the browser',
        disk_format: 'raw',
        size: corpus.sources.qcow2.raw.size,
        checksum: corpus.sources.qcow2.raw.md5,
      });
      const store = w.page.locator('tr[data-store]');
      expect(await store.getAttribute('data-state')).toBe('done');
      expect(await store.locator('td').nth(2).textContent()).toContain(`12.0 MiB of 12.0 MiB (100%)`);

      await go(w.page, `#/images/${id}`);
      await w.page.locator('.inspection[data-verdict=ok]').first().waitFor();
      expect(await w.page.locator('table.kv').first().textContent()).toContain('Statusactive');
      const checksums = await w.page.locator('section', { hasText: 'Checksums' }).textContent();
      expect(checksums).toContain(image.checksum);
      expect(checksums).toContain(image.os_hash_value);
      await w.screenshot('image-detail');
      // Download: the data comes through fetch with the token in a header, then is saved as a file.
      const [download] = await Promise.all([w.page.waitForEvent('download', { timeout: LONG }), w.page.click('button:has-text("Download")')]);
      expect(download.suggestedFilename()).toBe('from the browser.raw');
      expect(digest(await download.path())).toEqual(corpus.sources.qcow2.raw);
      expect(w.errors).toEqual([]);
    },
    LONG,
  );

  it(
    'a failed import shows its reason in plain words, what to do, and the actions its image still allows',
    async () => {
      const w = await signedIn(tokens.alice);
      await go(w.page, '#/import');
      await w.page.locator('input[name=method][value=web-download]').check();
      await w.page.fill('input[name=name]', 'not there');
      await w.page.fill('input[name=uri]', `${src.url}/missing.qcow2`);
      await w.page.click('button[type=submit]');
      const failure = w.page.locator('.failure');
      await failure.waitFor({ timeout: LONG });
      expect(await failure.getAttribute('data-error-code')).toBe('GI_METHOD_DOWNLOAD_FAILED');
      expect(await failure.locator('h3').textContent()).toBe('The image could not be downloaded from its URL.');
      expect(await failure.locator('.reason').textContent()).toContain(`${src.url}/missing.qcow2`);
      expect(await failure.locator('.reason').textContent()).toContain('404');
      expect(await failure.textContent()).toContain('What to do: ');
      // The task can read failed a moment before its revert has put the image back to queued; the page
      // polls while the image is importing, and offers the retry once it is back.
      await failure.locator('button', { hasText: 'Import again' }).waitFor({ timeout: LONG });
      expect(await failure.locator('button').allTextContents()).toEqual(['Import again', 'Delete the image']);
      expect(await w.page.locator('tr[data-state=failed]').getAttribute('data-phase')).toBe('WebDownload');
      await w.screenshot('import-failed');
      // Import again: the same request, refused the same way; the page follows the new task.
      await failure.locator('button', { hasText: 'Import again' }).click();
      await w.page.locator('section', { hasText: 'Earlier imports' }).waitFor({ timeout: LONG });
      await w.page.locator('.failure').waitFor({ timeout: LONG });
      await w.page.locator('.failure button', { hasText: 'Delete the image' }).click();
      await w.page.waitForURL(/#\/images$/);
      expect(w.errors).toEqual([]);
    },
    LONG,
  );

  it(
    "a member does not see another project's private image; the admin does",
    async () => {
      const secret = await api('POST', '/v2/images', tokens.bob, { name: 'bob-private', visibility: 'private', disk_format: 'raw', container_format: 'bare' });
      const alice = await signedIn(tokens.alice);
      await alice.page.locator('table.list tbody tr').first().waitFor();
      await alice.page.fill('input[name=name]', 'bob-private');
      await alice.page.click('form.filters button[type=submit]');
      await alice.page.locator('td', { hasText: 'No images match.' }).waitFor();
      await go(alice.page, `#/images/${secret.id}`);
      await alice.page.locator('[role=alert]', { hasText: `No image found with ID ${secret.id}` }).waitFor();
      expect(await texts(alice.page, 'header.top nav a')).toEqual(['Images', 'Import', 'Stores']);

      const admin = await signedIn(tokens.admin);
      await admin.page.fill('input[name=name]', 'bob-private');
      await admin.page.click('form.filters button[type=submit]');
      await admin.page.locator(`tr[data-image-id="${secret.id}"]`).waitFor();
      await admin.screenshot('images');
    },
    LONG,
  );

  it(
    'shows a hostile name, property and tag as text: no element is made of them, no script runs',
    async () => {
      const img = await api('POST', '/v2/images', tokens.alice, {
        name: HOSTILE,
        disk_format: 'raw',
        container_format: 'bare',
        tags: [HOSTILE],
        note: `"><script>alert(2)</script>`,
      });
      const w = await signedIn(tokens.alice);
      const row = w.page.locator(`tr[data-image-id="${img.id}"]`);
      await row.waitFor();
      expect(await row.locator('td').first().textContent()).toBe(HOSTILE);
      expect(await w.page.locator('main img, main script').count()).toBe(0);
      await go(w.page, `#/images/${img.id}`);
      await w.page.locator('section', { hasText: 'Properties' }).locator('td', { hasText: '<script>' }).waitFor();
      expect(await w.page.locator('h2').first().textContent()).toBe(`Image ${HOSTILE}`);
      expect(await w.page.locator('main img, main script').count()).toBe(0);
      await go(w.page, `#/images/${img.id}/edit`);
      await w.page.locator('input[name=name]').waitFor();
      expect(await w.page.inputValue('input[name=name]')).toBe(HOSTILE);
      await w.page.waitForTimeout(500);
      expect(w.dialogs).toEqual([]);
      expect(w.errors).toEqual([]);
    },
    LONG,
  );

  it(
    'edits name, tags and properties with one JSON patch',
    async () => {
      const img = await api('POST', '/v2/images', tokens.alice, {
        name: 'before',
        disk_format: 'raw',
        container_format: 'bare',
        tags: ['old'],
        keep: 'k',
        drop: 'd',
      });
      const w = await signedIn(tokens.alice);
      await go(w.page, `#/images/${img.id}/edit`);
      await w.page.fill('input[name=name]', 'after');
      await w.page.fill('input[name=tags]', 'new, shiny');
      const drop = w.page.locator('.prop-row[data-prop=drop]');
      await drop.locator('button', { hasText: 'Remove' }).click();
      await w.page.click('text=Add a property');
      await w.page.locator('.prop-row input[aria-label="property name"]').last().fill('os_distro');
      await w.page.locator('.prop-row input[aria-label="property value"]').last().fill('debian');
      await w.page.click('button[type=submit]');
      await w.page.waitForURL(new RegExp(`#/images/${img.id}$`));
      const after = await api('GET', `/v2/images/${img.id}`, tokens.alice);
      expect(after).toMatchObject({ name: 'after', tags: ['new', 'shiny'], keep: 'k', os_distro: 'debian' });
      expect(after.drop).toBeUndefined();
    },
    LONG,
  );

  it(
    "lists the plugins for an admin, the broken plugin's load error with its hint",
    async () => {
      const w = await signedIn(tokens.admin);
      await go(w.page, '#/plugins');
      const broken = w.page.locator('tr[data-plugin=broken_plugin]');
      await broken.waitFor();
      const cells = await broken.locator('td').allTextContents();
      expect(cells.slice(0, 6)).toEqual(['2', 'broken_plugin', 'glance-import-plugin-broken', '0.3.0', 'yes', 'not loaded']);
      expect(cells[6]).toContain('GI_REGISTRY_IMPORT_FAILED');
      expect(cells[6]).toContain("Entry point 'broken_plugin' (glance-import-plugin-broken) could not be imported from './index.js'");
      expect(cells[6]).toContain('glance-import-fixture-dependency-that-is-not-installed');
      expect(await broken.locator('.hint').textContent()).toBe('Is the package built and installed completely? The cause is attached.');
      expect(await w.page.locator('tr[data-plugin=image_conversion] td').allTextContents()).toEqual([
        '1',
        'image_conversion',
        '@glance-import/plugin-convert',
        expect.stringMatching(/^\d+\.\d+\.\d+$/),
        'yes',
        'loaded',
        '',
      ]);
      await w.screenshot('plugins');
      // A member is refused by the policy, and the console shows no plugins view for it.
      const res = await fetch(`${server.url}/v2/info/plugins`, { headers: { 'x-auth-token': tokens.alice, accept: 'application/json' } });
      expect(res.status).toBe(403);
    },
    LONG,
  );

  it(
    "shows the stores, the project's usage against its limits, and every project's for an admin",
    async () => {
      const w = await signedIn(tokens.alice);
      await go(w.page, '#/stores');
      const own = w.page.locator('section', { hasText: 'Usage of your project' });
      await own.locator('tr[data-quota=image_count_total]').waitFor();
      const mine = (await api('GET', '/v2/info/usage', tokens.alice)).usage.image_count_total;
      expect(await own.locator('tr[data-quota=image_count_total] td').allTextContents()).toEqual([expect.stringContaining('Images'), String(mine.usage), '50']);
      expect(await w.page.locator('.project-usage').count()).toBe(0);

      const admin = await signedIn(tokens.admin);
      await go(admin.page, '#/stores');
      await admin.page.locator('.project-usage[data-project=p1]').waitFor();
      expect(await admin.page.locator('.project-usage').evaluateAll((els) => els.map((e) => e.getAttribute('data-project')))).toEqual(['p1', 'p2']);
      expect(await admin.page.locator('.project-usage[data-project=p1] tr[data-quota=image_count_total] td').nth(1).textContent()).toBe(String(mine.usage));
      await admin.screenshot('stores');
    },
    LONG,
  );

  it(
    'says when the server goes away under an open page, and reloads once it is back',
    async () => {
      const w = await signedIn(tokens.alice);
      await w.page.locator('table.list tbody tr').first().waitFor();
      const port = new URL(server.url).port;
      const stopped = Date.now();
      const code = await server.stop();
      expect(code, `serve stopped in ${Date.now() - stopped} ms\n${server.output().stdout.slice(-3000)}\n${server.output().stderr}`).toBe(0);
      await w.page.click('header.top nav a:has-text("Stores")');
      await w.page.locator('[data-connection=down]').waitFor({ timeout: LONG });
      await w.screenshot('server-down');
      server = await serve(path.join(work.dir, 'data'), ['--config-file', confFile, '--port', port]);
      await w.page.locator('[data-connection=back]').waitFor({ timeout: LONG });
      await w.page.locator('tr[data-quota=image_size_total]').waitFor({ timeout: LONG });
      expect(await w.page.evaluate('Object.values(sessionStorage)')).toEqual([tokens.alice]);
    },
    LONG,
  );
});
