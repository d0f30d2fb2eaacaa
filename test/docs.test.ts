import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { main } from '@glance-import/cli';
import { coreVersion } from '@glance-import/core';
import { describe, expect, it } from 'vitest';
import { renderConfigReference } from './support/config-reference.js';
import { ERROR_TABLES } from './support/error-tables.js';
import { REPO, workspacePackages } from './support/workspace.js';

// docs/plugin-authors.md shows the fixture plugin's files whole; the e2e suites run that fixture, so
// the guide's code is the code that was tested only while the two stay the same.

const guide = readFileSync(path.join(REPO, 'docs', 'plugin-authors.md'), 'utf8');
const fixture = (file: string) => readFileSync(path.join(import.meta.dirname, 'fixtures', 'third-party-plugin', file), 'utf8');

describe('docs/plugin-authors.md', () => {
  it('shows package.json, index.js and index.test.js of test/fixtures/third-party-plugin exactly', () => {
    const blocks = [...guide.matchAll(/```(?:json|js)\n([\s\S]*?)```/g)].map((m) => m[1]);
    expect(blocks).toEqual([fixture('package.json'), fixture('index.js'), fixture('index.test.js')]);
  });

  it('shows the host config the e2e suites check with, test/fixtures/glance-image-import.conf', () => {
    const conf = readFileSync(path.join(import.meta.dirname, 'fixtures', 'glance-image-import.conf'), 'utf8');
    expect(guide).toContain(conf.replace(/^(?=.)/gm, '    '));
  });
});

// Each package README lists exactly its own codes, in a table under "## Errors" (a package without a
// table still has the section, saying so). A code added without its line, or a line left behind,
// fails here.
describe('package READMEs', () => {
  it("have an Errors section listing exactly the codes of the package's own table", async () => {
    const packages = (await workspacePackages()).filter((p) => !p.manifest.private);
    expect(packages.length).toBeGreaterThan(10);
    const mismatches = packages.flatMap((p) => {
      const readme = readFileSync(path.join(p.dir, 'README.md'), 'utf8');
      const section = readme.match(/^## Errors\n([\s\S]*?)(?=^## |(?![\s\S]))/m)?.[1];
      if (section === undefined) return [`${p.name}: no "## Errors" section`];
      const listed = [...section.matchAll(/^\| `(GI_[A-Z0-9_]+)` \|/gm)].map((m) => m[1]!);
      const defined = Object.keys(ERROR_TABLES[p.name]?.table ?? {});
      return [
        ...defined.filter((c) => !listed.includes(c)).map((c) => `${p.name}: ${c} missing from README.md`),
        ...listed.filter((c) => !defined.includes(c)).map((c) => `${p.name}: ${c} listed but not defined`),
        ...listed.filter((c, i) => listed.indexOf(c) !== i).map((c) => `${p.name}: ${c} listed twice`),
      ];
    });
    expect(mismatches).toEqual([]);
  });
});

describe('README.md', () => {
  it('shows the glance-api.conf the Keystone suites run with, test/fixtures/keystone-glance-api.conf', () => {
    const readme = readFileSync(path.join(REPO, 'README.md'), 'utf8');
    const conf = readFileSync(path.join(import.meta.dirname, 'fixtures', 'keystone-glance-api.conf'), 'utf8');
    expect(readme).toContain(conf.replace(/^(?=.)/gm, '    '));
  });
});

// docs/configuration.md is rendered from the option schemas; `pnpm docs:config` (GI_UPDATE_DOCS=1)
// writes it again after a schema changed.
describe('docs/configuration.md', () => {
  it('is the reference rendered from the option schemas of core, server, db and each first-party plugin', () => {
    const file = path.join(REPO, 'docs', 'configuration.md');
    const rendered = renderConfigReference();
    if (process.env.GI_UPDATE_DOCS) writeFileSync(file, rendered);
    expect(readFileSync(file, 'utf8'), 'run `pnpm docs:config` to write it again').toBe(rendered);
  });
});

describe('the sample configuration in etc/', () => {
  it('glance-api.conf and glance-image-import.conf pass `config check` together, with the first-party plugins', async () => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await main(
      [
        'config',
        'check',
        '--root',
        REPO,
        '--config-file',
        path.join(REPO, 'etc', 'glance-api.conf'),
        '--config-file',
        path.join(REPO, 'etc', 'glance-image-import.conf'),
      ],
      {
        out: (t) => out.push(t),
        err: (t) => err.push(t),
      },
    );
    expect(err).toEqual([]);
    expect(code).toBe(0);
    expect(out.join('\n')).toContain('import plugins, in order:\n  1. image_decompression');
    expect(out).toContain('notice: [oslo_policy] is a Glance group glance-import does not use; ignored.');
  });
});

describe('docs/plugin-authors.md', () => {
  it("names the versions of the packages it installs: the workspace's (`@glance-import/x@V`, `^V`, `glance-import-x-V.tgz`)", () => {
    const named = [
      ...guide.matchAll(/@glance-import\/[a-z-]+@\^?(\d+\.\d+\.\d+)/g),
      ...guide.matchAll(/glance-import-[a-z-]+-(\d+\.\d+\.\d+)\.tgz/g),
      ...guide.matchAll(/\^(\d+\.\d+\.\d+)/g),
      ...guide.matchAll(/glance-import (\d+\.\d+\.\d+) serving/g),
    ]
      .map((m) => m[1])
      .filter((v) => v !== '1.0.0'); // 1.0.0: raw_padding's own version
    expect(named.length).toBeGreaterThan(10);
    expect(new Set(named)).toEqual(new Set([coreVersion()]));
    expect(guide).toContain(`"@glance-import/core": "^${coreVersion()}"`);
  });
});
