// Builds dist/: the bundle bin/cronwrap runs (one file to read keeps `cronwrap -- true` close to
// `node -e 0`), its loader and V8 code cache, the code that talks to other servers and the live view
// (loaded only when needed), and cronwrap-standalone.cjs, everything in one executable file for servers that have only Node.
import { execFileSync } from 'node:child_process';
import { chmodSync } from 'node:fs';
import { build } from 'esbuild';
import { buildSingleFile, common, defines, serveAssets } from './bundles.mjs';

await build({ ...common, entryPoints: ['src/main.ts'], outfile: 'dist/cronwrap.cjs', define: defines('bundle') });
await build({ ...common, entryPoints: ['src/start.ts'], outfile: 'dist/start.cjs' });
await build({ ...common, entryPoints: ['src/remote/index.ts'], outfile: 'dist/remote.cjs' });
await build({ ...common, entryPoints: ['src/remote/schedule.ts'], outfile: 'dist/schedule.cjs' });
await build({ ...common, entryPoints: ['src/remote/silences.ts'], outfile: 'dist/silences.cjs' });

const assets = await serveAssets();
await build({ ...common, entryPoints: ['src/serve/index.ts'], outfile: 'dist/serve.cjs', define: assets });
await buildSingleFile('dist/cronwrap-standalone.cjs', 'node-file', assets);
chmodSync('dist/cronwrap-standalone.cjs', 0o755);

execFileSync(process.execPath, ['scripts/make-code-cache.cjs'], { stdio: 'inherit' });
