import { spawnSync } from 'node:child_process';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/cronwrap.js';

const DIST = resolve(__dirname, '../../dist');

describe('the built entry', () => {
  it('ships a V8 code cache that this Node accepts', () => {
    const check = `const s = require(${JSON.stringify(join(DIST, 'start.cjs'))});
      const { script } = s.loadWithCache(s.BUNDLE, require('node:fs').readFileSync(s.CODE_CACHE));
      process.stdout.write(String(script.cachedDataRejected));`;
    expect(spawnSync(process.execPath, ['-e', check], { encoding: 'utf8' }).stdout).toBe('false');
  });

  it('runs without the code cache, compiling as usual', () => {
    const dir = tempDir();
    for (const file of ['start.cjs', 'cronwrap.cjs']) copyFileSync(join(DIST, file), join(dir, file));
    writeFileSync(join(dir, 'bin.js'), "require('./start.cjs').start();\n");
    const run = spawnSync(process.execPath, [join(dir, 'bin.js'), '--version'], { encoding: 'utf8' });
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^cronwrap \d+\.\d+\.\d+ \(Node bundle, run by Node v[\d.]+ at \S+\)\n$/);
  });
});

describe('dist/remote.cjs', () => {
  it('holds the code that talks to other servers, and neither the config file reader nor the option table', () => {
    const remote = readFileSync(join(DIST, 'remote.cjs'), 'utf8');
    expect(remote).toContain('event_action'); // PagerDuty
    expect(remote).toContain('SET'); // the Redis lock
    expect(remote).not.toMatch(/smol-toml|TomlError/);
    expect(remote).not.toMatch(/CRONWRAP_LOCK_REDIS_FALLBACK|--alert-after|src\/config\//);
  });
});
