import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO } from './support/workspace.js';

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

describe('README.md', () => {
  it('shows the glance-api.conf the Keystone suites run with, test/fixtures/keystone-glance-api.conf', () => {
    const readme = readFileSync(path.join(REPO, 'README.md'), 'utf8');
    const conf = readFileSync(path.join(import.meta.dirname, 'fixtures', 'keystone-glance-api.conf'), 'utf8');
    expect(readme).toContain(conf.replace(/^(?=.)/gm, '    '));
  });
});
