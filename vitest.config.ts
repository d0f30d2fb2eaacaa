import { configDefaults, defineConfig } from 'vitest/config';

// Workspace packages resolve to their sources (the `@glance-import/source` export condition), so unit
// tests need no build; suites that spawn the CLI build first (`pnpm test:all`). No 'module' condition:
// packages such as the AWS SDK map it to bundler-only builds (extensionless imports) that Node cannot
// load, where Node itself takes their 'node' build.
const conditions = ['@glance-import/source', 'node', 'development|production'];

export default defineConfig({
  ssr: { resolve: { conditions } },
  test: {
    // Real files, real qemu-img and real compressors: a loaded 2-core CI machine needs more than 5 s.
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Fixture packages carry their own tests (run by the e2e suites with the fixture's runner).
    exclude: [...configDefaults.exclude, '**/fixtures/**'],
    projects: ['packages/*', 'plugins/*', 'test', 'bench'].map((glob) => ({
      extends: true,
      test: { name: glob.replace('/*', ''), dir: glob.replace('/*', ''), testTimeout: 30_000, hookTimeout: 60_000 },
    })),
  },
});
