// Builds a single executable that runs with no Node installed (Node's single executable application
// support): the single-file bundle with a V8 code cache, built by the pinned Node release (scripts/runtime.mjs)
// into a stripped copy of that same binary with `node --build-sea`. `npm run executable` writes
// release/cronwrap; scripts/package-deb.mjs builds its own.
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSingleFile, bundledPackages, serveAssets, servePage } from './bundles.mjs';
import { runtime } from './runtime.mjs';

/**
 * How the executable's Node starts, whatever its environment: a root utility takes no code or debugging
 * switches from outside. SIGUSR1 opens no inspector (cronwrap handles the signal itself); NODE_OPTIONS is
 * not read (it stays in the job's environment); OPENSSL_CONF cannot load an engine into cronwrap.
 * The other NODE_* switches Node reads at start-up are shed by a restart (src/util/runtime-environment.ts).
 */
const EXEC_ARGV = ['--disable-sigusr1', '--openssl-config=/dev/null'];

/**
 * Writes the executable to `out`. `kind` is what `--version` says (`executable` or `deb`); `codeCache`: V8's
 * compiled code goes into the blob (npm run bench compares without). The Node binary is stripped first
 * (Debian wants no debugging symbols in /usr/bin). Resolves to the Node release and the npm packages bundled in.
 */
export async function buildExecutable(out, kind, { codeCache = true } = {}) {
  const node = runtime();
  const work = mkdtempSync(join(tmpdir(), 'cronwrap-sea-'));
  try {
    const main = join(work, 'cronwrap.cjs');
    const page = await servePage();
    const bundle = await buildSingleFile(main, kind, await serveAssets(page));
    const base = join(work, 'node');
    copyFileSync(node.node, base);
    chmodSync(base, 0o755);
    if (spawnSync('strip', ['--strip-all', base]).status !== 0) throw new Error('strip failed: install binutils');
    const config = {
      main,
      executable: base,
      output: resolve(out),
      disableExperimentalSEAWarning: true,
      useCodeCache: codeCache,
      execArgv: EXEC_ARGV,
      execArgvExtension: 'none',
    };
    writeFileSync(join(work, 'sea-config.json'), JSON.stringify(config));
    // Quiet unless it fails (execFileSync then throws with what Node said).
    execFileSync(node.node, ['--build-sea', join(work, 'sea-config.json')], { stdio: 'pipe' });
    return { runtime: node, packages: [...new Set([...bundledPackages(bundle), ...bundledPackages(page)])] };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  mkdirSync('release', { recursive: true });
  const { runtime: node } = await buildExecutable('release/cronwrap', 'executable');
  console.log(`release/cronwrap: a single executable with Node ${node.version} built in; runs with no Node installed`);
}
