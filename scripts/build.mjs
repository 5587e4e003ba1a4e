// Builds dist/: the bundle bin/cronwrap runs (one file to read keeps `cronwrap -- true` close to
// `node -e 0`), its loader and V8 code cache, the code that talks to other servers (loaded only when
// needed), and
// cronwrap-standalone.cjs, everything in one executable file for servers that have only Node.
import { execFileSync } from 'node:child_process';
import { chmodSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { build } from 'esbuild';

const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const common = { bundle: true, platform: 'node', target: 'node20', format: 'cjs', logLevel: 'warning' };
const define = { CRONWRAP_VERSION: JSON.stringify(version) };

await build({ ...common, entryPoints: ['src/main.ts'], outfile: 'dist/cronwrap.cjs', define });
await build({ ...common, entryPoints: ['src/start.ts'], outfile: 'dist/start.cjs' });
await build({ ...common, entryPoints: ['src/remote/index.ts'], outfile: 'dist/remote.cjs' });
await build({ ...common, entryPoints: ['src/remote/schedule.ts'], outfile: 'dist/schedule.cjs' });

// In the single file, remote/load.js (which reads dist/remote.cjs) becomes remote/load-inline.ts.
const inlineNotify = {
  name: 'inline-notify',
  setup(b) {
    b.onResolve({ filter: /remote\/load\.js$/ }, (args) => ({ path: join(args.resolveDir, dirname(args.path), 'load-inline.ts') }));
  },
};
await build({
  ...common,
  entryPoints: ['src/main.ts'],
  outfile: 'dist/cronwrap-standalone.cjs',
  define,
  plugins: [inlineNotify],
  banner: { js: '#!/usr/bin/env node' },
  footer: { js: 'module.exports.cli();' },
});
chmodSync('dist/cronwrap-standalone.cjs', 0o755);

execFileSync(process.execPath, ['scripts/make-code-cache.cjs'], { stdio: 'inherit' });
