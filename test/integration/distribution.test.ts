import { spawnSync } from 'node:child_process';
import { copyFileSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/cronwrap.js';
import { parseLog, reassemble } from '../helpers/records.js';

const ROOT = resolve(__dirname, '../..');

describe('single-file build', () => {
  it('dist/cronwrap-standalone.cjs runs with only Node, from an empty directory, alerting code included', () => {
    const dir = tempDir();
    const binary = join(dir, 'cronwrap');
    copyFileSync(join(ROOT, 'dist', 'cronwrap-standalone.cjs'), binary);
    spawnSync('chmod', ['755', binary]);
    const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', CRONWRAP_STATE_DIR: join(dir, 'state'), CRONWRAP_LOG_DIR: join(dir, 'logs'), CRONWRAP_CONFIG: '/dev/null' };
    const version = spawnSync(binary, ['--version'], { cwd: dir, env, encoding: 'utf8' });
    expect(version.stdout).toBe(`cronwrap ${JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version} (single Node file, run by Node ${process.version} at ${process.execPath})\n`);
    const run = spawnSync(binary, ['--name', 'solo', '--webhook', 'http://127.0.0.1:9/unreachable', '-c', 'echo alone; exit 3'], { cwd: dir, env, encoding: 'utf8' });
    expect(run.status).toBe(3);
    expect(reassemble(parseLog(readFileSync(join(dir, 'logs', 'solo.log'))).records, 'out').toString()).toBe('alone\n');
    expect(run.stdout).toMatch(/could not be delivered[\s\S]*solo FAILED/); // the webhook code ran from inside the one file
    expect(readdirSync(dir).sort()).toEqual(['cronwrap', 'logs', 'state']);
  });
});

describe('npm package', () => {
  it('npm pack makes a package that installs globally with no dependencies to fetch, and works', () => {
    const dir = tempDir();
    const pack = spawnSync('npm', ['pack', '--ignore-scripts', '--pack-destination', dir], { cwd: ROOT, encoding: 'utf8' });
    expect(pack.status).toBe(0);
    const tarball = readdirSync(dir).find((f) => f.endsWith('.tgz'))!;
    expect(tarball).toMatch(/^cronwrap-\d+\.\d+\.\d+\.tgz$/);
    const prefix = join(dir, 'prefix');
    const install = spawnSync('npm', ['install', '-g', '--offline', '--prefix', prefix, join(dir, tarball)], { encoding: 'utf8' });
    expect(install.status, install.stderr).toBe(0);
    const env = { ...process.env, CRONWRAP_STATE_DIR: join(dir, 'state'), CRONWRAP_LOG_DIR: join(dir, 'logs'), CRONWRAP_CONFIG: '/dev/null' };
    const run = spawnSync(join(prefix, 'bin', 'cronwrap'), ['--name', 'packed', '--', 'echo', 'installed'], { cwd: dir, env, encoding: 'utf8' });
    expect(run.status).toBe(0);
    expect(reassemble(parseLog(readFileSync(join(dir, 'logs', 'packed.log'))).records, 'out').toString()).toBe('installed\n');
  }, 120_000);
});
