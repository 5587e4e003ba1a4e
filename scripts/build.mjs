// Bundles src/ into one CommonJS file (one file to read keeps `cronwrap -- true` close to `node -e 0`),
// a small loader, a V8 code cache for the bundle, and the alerting code that only alerting runs load.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { build } from 'esbuild';

const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const common = { bundle: true, platform: 'node', target: 'node20', format: 'cjs', logLevel: 'warning' };

await build({ ...common, entryPoints: ['src/main.ts'], outfile: 'dist/cronwrap.cjs', define: { CRONWRAP_VERSION: JSON.stringify(version) } });
await build({ ...common, entryPoints: ['src/start.ts'], outfile: 'dist/start.cjs' });
await build({ ...common, entryPoints: ['src/notify/index.ts'], outfile: 'dist/notify.cjs' });
execFileSync(process.execPath, ['scripts/make-code-cache.cjs'], { stdio: 'inherit' });
