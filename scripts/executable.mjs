// Builds a single executable that runs with no Node installed (Node's single executable application
// support): the single-file bundle with a V8 code cache, injected into a copy of this Node binary with
// postject. `npm run executable` writes release/cronwrap; scripts/package-deb.mjs builds its own.
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import postject from 'postject';
import { buildSingleFile, bundledPackages, serveAssets, servePage } from './bundles.mjs';

/** The sentinel Node's binary carries for an injected blob (Node's single-executable documentation). */
const SEA_FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';

/**
 * Writes the executable to `out`. `kind` is what `--version` says (`executable` or `deb`); `codeCache`: V8's
 * compiled code goes into the blob (npm run bench compares without). The Node
 * binary is stripped first (86 MB rather than 99 MB; Debian wants no debugging symbols in /usr/bin).
 * Resolves to the npm packages bundled into it.
 */
export async function buildExecutable(out, kind, { codeCache = true } = {}) {
  const work = mkdtempSync(join(tmpdir(), 'cronwrap-sea-'));
  try {
    const main = join(work, 'cronwrap.cjs');
    const page = await servePage();
    const bundle = await buildSingleFile(main, kind, await serveAssets(page));
    const blob = join(work, 'cronwrap.blob');
    const config = { main, output: blob, disableExperimentalSEAWarning: true, useCodeCache: codeCache };
    writeFileSync(join(work, 'sea-config.json'), JSON.stringify(config));
    // Quiet unless it fails (execFileSync then throws with what Node said).
    execFileSync(process.execPath, ['--experimental-sea-config', join(work, 'sea-config.json')], { stdio: 'pipe' });
    copyFileSync(process.execPath, out);
    chmodSync(out, 0o755);
    if (spawnSync('strip', ['--strip-all', out]).status !== 0) throw new Error('strip failed: install binutils');
    await postject.inject(out, 'NODE_SEA_BLOB', readFileSync(blob), { sentinelFuse: SEA_FUSE });
    return [...new Set([...bundledPackages(bundle), ...bundledPackages(page)])];
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  mkdirSync('release', { recursive: true });
  await buildExecutable('release/cronwrap', 'executable');
  console.log('release/cronwrap: a single executable; runs with no Node installed');
}
