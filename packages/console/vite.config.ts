import { defineConfig } from 'vite';

// The console is plain static files under /console/: no inline code (the CSP forbids it), no data: URIs.
export default defineConfig({
  root: 'app',
  base: '/console/',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: '../dist/app',
    emptyOutDir: true,
    assetsInlineLimit: 0,
    target: 'es2022',
    sourcemap: true,
  },
});
