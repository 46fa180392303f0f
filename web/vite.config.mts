// The web console: `npm run build` (after nest build) writes it to dist/web, which the service
// serves at `/` (src/console/console-static.ts). Everything is bundled: nothing loads from a CDN.
import { fileURLToPath } from 'node:url';
import optimizeLocales from '@react-aria/optimize-locales-plugin';
import { defineConfig } from 'vite';

const here = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root: here,
  base: '/',
  // React's automatic JSX runtime through Vite's own transformer (no plugin needed for a build).
  oxc: { jsx: { runtime: 'automatic', importSource: 'react' } },
  // React Aria's built-in strings ("Clear search", …) in English only, like the rest of the console:
  // the other locales' strings would more than double the bundle.
  plugins: [optimizeLocales.vite({ locales: ['en-US'] })],
  build: {
    outDir: process.env.RBCD_CONSOLE_OUT_DIR ?? fileURLToPath(new URL('../dist/web', import.meta.url)),
    emptyOutDir: true,
    sourcemap: false,
    chunkSizeWarningLimit: 1024,
  },
  server: { proxy: { '/api': 'http://127.0.0.1:3000' } },
});
