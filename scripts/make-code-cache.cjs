// Runs `cronwrap -- true` from the bundle, twice (the second run reads the history the first wrote, as
// real runs do), and saves V8's code cache for every function compiled, so real runs skip that compiling
// (see src/start.ts).
const { mkdtempSync, rmSync, writeFileSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { loadWithCache, BUNDLE, CODE_CACHE } = require('../dist/start.cjs');

const state = mkdtempSync(join(tmpdir(), 'cronwrap-build-'));
const { script, exports: cronwrap } = loadWithCache(BUNDLE, undefined);
const run = () => cronwrap.main(['--quiet', '--log', '/dev/null', '--state-dir', state, '--', 'true'], cronwrap.processIo());
run()
  .then(run)
  .then(() => {
    writeFileSync(CODE_CACHE, script.createCachedData());
    rmSync(state, { recursive: true, force: true });
  });
