// Runs one `cronwrap -- true` from the bundle and saves V8's code cache for every function it compiled,
// so real runs skip that compiling (see src/start.ts).
const { mkdtempSync, rmSync, writeFileSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { loadWithCache, BUNDLE, CODE_CACHE } = require('../dist/start.cjs');

const state = mkdtempSync(join(tmpdir(), 'cronwrap-build-'));
const { script, exports: cronwrap } = loadWithCache(BUNDLE, undefined);
cronwrap
  .main(['--quiet', '--log', '/dev/null', '--state-dir', state, '--', 'true'], cronwrap.processIo())
  .then(() => {
    writeFileSync(CODE_CACHE, script.createCachedData());
    rmSync(state, { recursive: true, force: true });
  });
