/// <reference types="vitest/config" />
import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { svelteTesting } from '@testing-library/svelte/vite';
import { fileURLToPath } from 'node:url';

// Dates in tests are formatted in UTC so expectations don't depend on the machine's zone.
process.env.TZ = 'UTC';

export default defineConfig({
  plugins: [svelte(), svelteTesting()],
  // Tauri serves the built files from ui/dist; relative asset paths keep them loadable
  // from its custom protocol as well as from a plain file server.
  base: './',
  clearScreen: false,
  server: {
    port: 5173,
    strictPort: true,
    // The window reads the message catalogues the engine compiles in (one source of truth
    // per string): they live beside the engine, outside ui/.
    fs: { allow: ['.', fileURLToPath(new URL('../src-tauri/core/locales', import.meta.url))] },
  },
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022' },
  test: {
    environment: 'jsdom',
    include: ['tests/**/*.test.ts'],
    setupFiles: ['tests/setup.ts'],
  },
});
