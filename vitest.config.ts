import { defineConfig } from 'vitest/config';

// Workspace packages resolve to their sources (the `@glance-import/source` export condition), so unit
// tests need no build; suites that spawn the CLI build first (`pnpm test:all`).
const conditions = ['@glance-import/source', 'module', 'node', 'development|production'];

export default defineConfig({
  ssr: { resolve: { conditions } },
  test: {
    projects: ['packages/*', 'plugins/*', 'test'].map((glob) => ({
      extends: true,
      test: { name: glob.replace('/*', ''), dir: glob.replace('/*', '') },
    })),
  },
});
