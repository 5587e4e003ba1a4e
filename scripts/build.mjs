// Builds dist/: the bundle bin/cronwrap runs (one file to read keeps `cronwrap -- true` close to
// `node -e 0`), its loader and V8 code cache, the code that talks to other servers and the live view
// (loaded only when needed), and cronwrap-standalone.cjs, everything in one executable file for servers that have only Node.
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

// The live view (cronwrap serve): the page's script, with uPlot, is built for browsers and put into the
// server's bundle with the styles, so the server reads no file of its own and the page needs no CDN.
const page = await build({ ...common, platform: 'browser', target: 'es2022', format: 'iife', minify: true, entryPoints: ['src/serve/page/app.ts'], write: false });
const serveAssets = {
  SERVE_ASSETS: JSON.stringify({
    app: page.outputFiles[0].text,
    css: readFileSync('src/serve/page/app.css', 'utf8'),
    uplotCss: readFileSync('node_modules/uplot/dist/uPlot.min.css', 'utf8'),
  }),
};
await build({ ...common, entryPoints: ['src/serve/index.ts'], outfile: 'dist/serve.cjs', define: serveAssets });

// In the single file, remote/load.js and serve/load.js (which read dist/*.cjs) become their load-inline.ts.
const inlineNotify = {
  name: 'inline-notify',
  setup(b) {
    b.onResolve({ filter: /(remote|serve)\/load\.js$/ }, (args) => ({ path: join(args.resolveDir, dirname(args.path), 'load-inline.ts') }));
  },
};
await build({
  ...common,
  entryPoints: ['src/main.ts'],
  outfile: 'dist/cronwrap-standalone.cjs',
  define: { ...define, ...serveAssets },
  plugins: [inlineNotify],
  banner: { js: '#!/usr/bin/env node' },
  footer: { js: 'module.exports.cli();' },
});
chmodSync('dist/cronwrap-standalone.cjs', 0o755);

execFileSync(process.execPath, ['scripts/make-code-cache.cjs'], { stdio: 'inherit' });
