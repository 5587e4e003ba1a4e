// What scripts/build.mjs and scripts/executable.mjs share: how a bundle is built, and the single file
// that holds everything (the live view's page, the code that talks to other servers).
import { readFileSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { dirname, join } from 'node:path';
import { build } from 'esbuild';

export const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
export const common = { bundle: true, platform: 'node', target: 'node20', format: 'cjs', logLevel: 'warning' };

/** The version, and how the bundle is run (src/util/build-info.ts), as esbuild defines. */
export function defines(kind) {
  return { CRONWRAP_VERSION: JSON.stringify(version), CRONWRAP_BUILD: JSON.stringify(kind) };
}

/** The npm packages a build put into its bundle (for the Debian package's copyright file). */
export function bundledPackages(result) {
  const names = Object.keys(result.metafile.inputs).flatMap((path) => /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path)?.[1] ?? []);
  return [...new Set(names)];
}

/** The live view's page (below), and the packages in it. */
export async function servePage() {
  return build({ ...common, platform: 'browser', target: 'es2022', format: 'iife', minify: true, entryPoints: ['src/serve/page/app.ts'], write: false, metafile: true });
}

/**
 * The live view (cronwrap serve): the page's script, with uPlot, is built for browsers and put into the
 * server's bundle with the styles, so the server reads no file of its own and the page needs no CDN.
 */
export async function serveAssets(page) {
  page ??= await servePage();
  return {
    SERVE_ASSETS: JSON.stringify({
      app: page.outputFiles[0].text,
      css: readFileSync('src/serve/page/app.css', 'utf8'),
      uplotCss: readFileSync('node_modules/uplot/dist/uPlot.min.css', 'utf8'),
    }),
  };
}

// In the single file, remote/load.js and serve/load.js (which read dist/*.cjs) become their load-inline.ts.
const inlineNotify = {
  name: 'inline-notify',
  setup(b) {
    b.onResolve({ filter: /(remote|serve)\/load\.js$/ }, (args) => ({ path: join(args.resolveDir, dirname(args.path), 'load-inline.ts') }));
  },
};

/**
 * A bare require that esbuild cannot bundle (an optional dependency that is not installed, as debug's
 * supports-color) would be left to run time, where the single executable's require() loads only built-in
 * modules and warns on stderr: under cron, a mail on every run. In the single file such a module throws
 * MODULE_NOT_FOUND when required, as Node does for a missing module, so the code that expects it works.
 */
const missingModules = {
  name: 'missing-modules',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, async (args) => {
      if (isBuiltin(args.path) || args.pluginData === 'probe') return undefined;
      const found = await b.resolve(args.path, { kind: args.kind, resolveDir: args.resolveDir, pluginData: 'probe' });
      return found.errors.length > 0 ? { path: args.path, namespace: 'missing-module' } : undefined;
    });
    b.onLoad({ filter: /.*/, namespace: 'missing-module' }, (args) => ({
      contents: `throw Object.assign(new Error(${JSON.stringify(`Cannot find module '${args.path}'`)}), { code: 'MODULE_NOT_FOUND' });`,
      loader: 'js',
    }));
  },
};

/** Fails the build if a module other than Node's own is left to be required at run time. */
function requireOnlyBuiltins(result, outfile) {
  const left = Object.values(result.metafile.outputs).flatMap((output) => output.imports.filter((i) => i.external && !isBuiltin(i.path)).map((i) => i.path));
  if (left.length > 0) throw new Error(`${outfile} would require ${left.join(', ')} at run time: bundle it or let it be missing`);
  return result;
}

/** src/executable-prologue.ts as one self-contained script, to run before everything else in the single executable. */
async function executablePrologue() {
  const result = await build({ ...common, entryPoints: ['src/executable-prologue.ts'], format: 'iife', write: false, minify: true });
  return result.outputFiles[0].text;
}

/** Everything in one file that runs its CLI when loaded: for Node (`node-file`) or for an executable. Resolves to esbuild's result. */
export async function buildSingleFile(outfile, kind, assets) {
  const result = await build({
    ...common,
    entryPoints: ['src/main.ts'],
    outfile,
    define: { ...defines(kind), ...assets },
    plugins: [inlineNotify, missingModules],
    banner: { js: `#!/usr/bin/env node\n${kind === 'executable' || kind === 'deb' ? await executablePrologue() : ''}` },
    footer: { js: 'module.exports.cli();' },
    metafile: true,
  });
  return requireOnlyBuiltins(result, outfile);
}
