import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
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
  it('have an Errors section listing exactly the codes of the package\'s own table', async () => {
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
