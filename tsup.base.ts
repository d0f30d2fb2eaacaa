import { defineConfig, type Options } from 'tsup';

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
    ...extra,
  });
}
