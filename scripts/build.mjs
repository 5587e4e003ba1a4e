// Bundles src/ into one CommonJS file: one file to read at start-up keeps `cronwrap -- true` close to `node -e 0`.
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';

const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));

await build({
  entryPoints: ['src/main.ts'],
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  outfile: 'dist/cronwrap.cjs',
  define: { CRONWRAP_VERSION: JSON.stringify(version) },
  logLevel: 'warning',
});
