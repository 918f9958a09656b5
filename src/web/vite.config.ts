// Builds the agent desktop and the wallboard into dist/web; fastify serves that folder
// (src/web/web.routes.ts). `npm run build` runs this; `npm start` and the browser tests build first.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

export default defineConfig({
  root: here('.'),
  base: '/',
  logLevel: 'warn',
  // Preact's automatic JSX runtime through Vite's built-in oxc transform (no framework plugin needed).
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: here('../../dist/web'),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    // No data: URLs, so the pages' Content-Security-Policy can stay at 'self'.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false }, // every browser the desktop supports has modulepreload
    reportCompressedSize: false,
    rolldownOptions: {
      input: { agent: here('index.html'), wallboard: here('wallboard.html') },
      // What both pages use (Preact, socket.io-client, i18n, styles) in one cacheable chunk.
      output: { codeSplitting: { groups: [{ name: 'shared', test: /node_modules|[\\/]web[\\/]shared[\\/]/ }] } },
    },
  },
});
