import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const { version } = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as { version: string };

export default defineConfig({
  // The build defines the version the same way (scripts/build.mjs).
  define: { CRONWRAP_VERSION: JSON.stringify(version), CRONWRAP_BUILD: JSON.stringify('source') },
  // In-process runs load the network code from the sources, not from dist/remote.cjs (test/helpers/load-remote.ts).
  resolve: { alias: [{ find: /^\.\.\/remote\/load\.js$/, replacement: fileURLToPath(new URL('./test/helpers/load-remote.ts', import.meta.url)) }] },
  test: {
    setupFiles: ['test/setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // The Debian package test installs cronwrap on this machine (/usr/bin, /etc/cronwrap): it runs alone,
    // after every other test file, so none of them meets an installed cronwrap or its config file.
    projects: [
      { extends: true, test: { name: 'cronwrap', include: ['test/**/*.test.ts'], exclude: ['test/integration/package.test.ts'], sequence: { groupOrder: 0 } } },
      { extends: true, test: { name: 'package', include: ['test/integration/package.test.ts'], sequence: { groupOrder: 1 } } },
    ],
  },
});
