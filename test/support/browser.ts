import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { REPO } from './workspace.js';

/** Debian's Chromium (`apt-get install chromium`; scripts/setup installs it). No browser is downloaded. */
export const CHROMIUM = '/usr/bin/chromium';

/** Where the browser suites write their screenshots (not committed). */
export const SCREENSHOTS = path.join(REPO, 'test', 'screenshots');

// On this closed network Chromium's own background connections would only fail: turn them off.
const FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface Browser {
  readonly context: BrowserContext;
  /** A new tab that records what must never happen: page errors, CSP or Trusted Types violations, dialogs. */
  newPage(): Promise<WatchedPage>;
  close(): Promise<void>;
}

export interface WatchedPage {
  readonly page: Page;
  /** Uncaught errors, CSP and Trusted Types violations reported by the page so far. */
  readonly errors: string[];
  /** Messages of every dialog (alert, confirm, prompt) the page opened; each was dismissed. */
  readonly dialogs: string[];
  /** Save a full-page screenshot as test/screenshots/NAME.png; returns its path. */
  screenshot(name: string): Promise<string>;
}

/** Headless Chromium on a fresh profile, driven by playwright-core. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: \`apt-get install chromium\` (scripts/setup does)`);
  const profile = mkdtempSync(path.join(tmpdir(), 'gi-e2e-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: FLAGS,
    viewport: { width: 1280, height: 860 },
    timeout: 60_000,
  });
  context.setDefaultTimeout(30_000);
  mkdirSync(SCREENSHOTS, { recursive: true });
  return {
    context,
    async newPage() {
      const page = await context.newPage();
      const errors: string[] = [];
      const dialogs: string[] = [];
      page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
      page.on('console', (m) => {
        if (m.type() === 'error' && /Content Security Policy|Trusted Type/i.test(m.text())) errors.push(`console: ${m.text()}`);
      });
      page.on('dialog', (d) => {
        dialogs.push(d.message());
        void d.dismiss();
      });
      return {
        page,
        errors,
        dialogs,
        async screenshot(name) {
          const file = path.join(SCREENSHOTS, `${name}.png`);
          await page.screenshot({ path: file, fullPage: true });
          return file;
        },
      };
    },
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
