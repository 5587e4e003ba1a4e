import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const { version } = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as { version: string };

export default defineConfig({
  // The build defines the version the same way (scripts/build.mjs).
  define: { CRONWRAP_VERSION: JSON.stringify(version) },
  // In-process runs load the network code from the sources, not from dist/remote.cjs (test/helpers/load-remote.ts).
  resolve: { alias: [{ find: /^\.\.\/remote\/load\.js$/, replacement: fileURLToPath(new URL('./test/helpers/load-remote.ts', import.meta.url)) }] },
  test: {
    include: ['test/**/*.test.ts'],
    setupFiles: ['test/setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 30_000,
    pool: 'forks',
  },
});
