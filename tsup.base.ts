import { defineConfig, type Options } from 'tsup';

// Test helpers are `*.fixture.ts` beside the tests that use them; a build that reaches one is a mistake.
const noFixtures: NonNullable<Options['esbuildPlugins']>[number] = {
  name: 'no-fixtures',
  setup(build) {
    build.onResolve({ filter: /\.fixture(\.[jt]s)?$/ }, (args) => ({
      errors: [{ text: `${args.importer} imports the test fixture ${args.path}: fixtures serve tests only` }],
    }));
  },
};

/** One build shape for every package: ESM + .d.ts, bundled per package, node20. */
export function packageBuild(extra: Partial<Options> = {}) {
  return defineConfig({
    entry: ['src/index.ts'],
    format: ['esm'],
    target: 'node20',
    platform: 'node',
    dts: { entry: 'src/index.ts', compilerOptions: { composite: false } },
    sourcemap: true,
    clean: true,
    esbuildPlugins: [noFixtures],
    ...extra,
  });
}
