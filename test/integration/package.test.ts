import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/cronwrap.js';
import { has, underCron } from '../helpers/daemons.js';
import { footer, parseLog } from '../helpers/records.js';

// The Packaging issue: `npm run package` builds the .deb; this installs it on this machine with dpkg -i
// (root, CI), uses it as an operator would, and removes it. It needs dpkg-deb, dpkg-shlibdeps, strip,
// lintian, man, strace, cron and faketime; off CI a missing tool skips it, under CI it fails.
const ROOT = resolve(__dirname, '../..');
const TOOLS = ['dpkg-deb', 'dpkg-shlibdeps', 'strip', 'lintian', 'man', 'strace', 'cron', 'faketime'];
const runs = process.getuid?.() === 0 && (TOOLS.every(has) || process.env.CI);
// An installed cronwrap, or state of one, is an operator's: the test never replaces or removes it.
const untouched = !existsSync('/usr/bin/cronwrap') && !existsSync('/var/lib/cronwrap');
const withPackage = runs && (untouched || process.env.CI) ? describe : describe.skip;

const sh = (command: string, args: string[], env?: NodeJS.ProcessEnv) => spawnSync(command, args, { encoding: 'utf8', cwd: ROOT, ...(env ? { env } : {}) });
/** For the long ones (the build, lintian, dpkg): a blocked worker misses vitest's own messages. */
const slow = async (command: string, args: string[]) => {
  const result = await execa(command, args, { cwd: ROOT, reject: false, stdin: 'ignore' });
  return { status: result.exitCode, stdout: result.stdout, stderr: result.stderr };
};
const JOB = `pkg-e2e-${process.pid}`;

withPackage('the Debian package (needs root, dpkg-dev, lintian, man-db, strace, cron, faketime)', () => {
  let deb = '';
  beforeAll(async () => {
    expect(untouched, 'a cronwrap is installed here (/usr/bin/cronwrap or /var/lib/cronwrap): CI needs a machine without one').toBe(true);
    const built = await slow('node', ['scripts/package-deb.mjs']);
    expect(built.status, built.stderr).toBe(0);
    deb = join(ROOT, /^(release\/\S+\.deb):/m.exec(built.stdout)![1]!);
    const installed = await slow('dpkg', ['-i', deb]);
    expect(installed.status, installed.stderr).toBe(0);
  }, 600_000); // about 2 minutes beside two CPU hogs, over 3 in one loaded run of the suite: room for slower machines
  afterAll(async () => {
    await slow('dpkg', ['--purge', 'cronwrap']);
    rmSync(join('/var/log/cronwrap', `${JOB}.log`), { force: true });
    spawnSync('rmdir', ['--ignore-fail-on-non-empty', '/var/log/cronwrap']);
  });

  it('lintian finds no error in it', async () => {
    const lint = await slow('lintian', ['--fail-on', 'error', deb]);
    expect(lint.status, lint.stdout + lint.stderr).toBe(0);
    expect(lint.stdout).not.toMatch(/^E: /m);
  }, 300_000);

  it('installs /usr/bin/cronwrap, which runs a job with no Node reachable and runs no Node process', () => {
    const dir = tempDir();
    const trace = join(dir, 'execs');
    const env = { PATH: '/nonexistent', CRONWRAP_CONFIG: '/dev/null', CRONWRAP_STATE_DIR: join(dir, 'state'), CRONWRAP_LOG_DIR: join(dir, 'logs') };
    const run = sh('strace', ['-f', '-qq', '-e', 'trace=execve', '-o', trace, 'env', '-i', ...Object.entries(env).map(([k, v]) => `${k}=${v}`), '/usr/bin/cronwrap', '--name', 'solo', '--', '/bin/echo', 'no node here']);
    expect(run.status, run.stderr).toBe(0);
    const programs = [...readFileSync(trace, 'utf8').matchAll(/execve\("([^"]+)", .*\) = 0$/gm)].map((m) => m[1]);
    expect(programs).toEqual(['/usr/bin/env', '/usr/bin/cronwrap', '/bin/echo']);
    expect(footer(parseLog(readFileSync(join(dir, 'logs', 'solo.log')))).exit).toBe('0');
    expect(sh('/usr/bin/cronwrap', ['--version']).stdout).toMatch(/^cronwrap \d+\.\d+\.\d+ \(Debian package, single executable, Node v\d+\.\d+\.\d+ built in\)\n$/);
  });

  it('ships cronwrap(1), generated from the option table: man renders it, with every flag of --help', () => {
    const page = sh('man', ['-l', '/usr/share/man/man1/cronwrap.1.gz'], { ...process.env, MANWIDTH: '100', MANPAGER: 'cat', PAGER: 'cat' });
    expect(page.status, page.stderr).toBe(0);
    expect(page.stderr).toBe('');
    const help = sh('/usr/bin/cronwrap', ['--help']).stdout;
    const flags = new Set([...help.matchAll(/^ {2}(?:-\w, )?(--[\w-]+)/gm)].map((m) => m[1]!));
    expect(flags.size).toBeGreaterThan(50);
    for (const flag of flags) expect(page.stdout, flag).toContain(flag);
    expect(page.stdout).toMatch(/cronwrap pause \[options\] <job>/); // the subcommands' own help
  });

  it('ships /etc/cronwrap/cronwrap.toml (root:root 0640, a conffile) that config check accepts, as it is and with every default uncommented', () => {
    const stat = sh('stat', ['-c', '%U:%G %a', '/etc/cronwrap/cronwrap.toml']).stdout.trim();
    expect(stat).toBe('root:root 640');
    expect(sh('dpkg-query', ['-W', '-f', '${Conffiles}', 'cronwrap']).stdout).toContain('/etc/cronwrap/cronwrap.toml');
    const check = sh('/usr/bin/cronwrap', ['config', 'check']);
    expect(check.status, check.stdout + check.stderr).toBe(0);
    const uncommented = join(tempDir(), 'all-defaults.toml');
    const text = readFileSync('/etc/cronwrap/cronwrap.toml', 'utf8').replace(/^#(\w+ = .+)$/gm, '$1');
    writeFileSync(uncommented, text, { mode: 0o600 });
    expect(text).toMatch(/^heal_budget = 3$/m);
    const all = sh('/usr/bin/cronwrap', ['config', 'check', '--config', uncommented]);
    expect(all.status, all.stdout + all.stderr).toBe(0);
  });

  it('creates /var/log/cronwrap (0750) and /var/lib/cronwrap (0700), wires logrotate, and completes in bash', () => {
    expect(sh('stat', ['-c', '%a', '/var/log/cronwrap', '/var/lib/cronwrap']).stdout.split('\n').slice(0, 2)).toEqual(['750', '700']);
    expect(sh('logrotate', ['-d', '/etc/logrotate.d/cronwrap']).status).toBe(0);
    const complete = (line: string) =>
      sh('bash', ['-c', `source /usr/share/bash-completion/completions/cronwrap; COMP_WORDS=(${line}); COMP_CWORD=$((\${#COMP_WORDS[@]} - 1)); _cronwrap; printf '%s\\n' "\${COMPREPLY[@]}"`]).stdout.trim().split('\n');
    expect(complete('cronwrap pa')).toEqual(['pause']);
    expect(complete('cronwrap --heal-r')).toEqual(['--heal-retry']);
    expect(complete('cronwrap config s')).toEqual(['show']);
  });

  it('a real cron runs a job through the installed binary into /var/log/cronwrap; dpkg -r removes cronwrap and keeps the logs', async () => {
    const logged = join('/var/log/cronwrap', `${JOB}.log`);
    const done = () => existsSync(logged) && readFileSync(logged, 'utf8').includes('=== end');
    await underCron(JOB, `PATH=/usr/bin:/bin\n* * * * * root /usr/bin/cronwrap --name ${JOB} -- sh -c 'echo packaged'\n`, done, tempDir());
    const log = parseLog(readFileSync(logged));
    expect(footer(log).exit).toBe('0');
    expect(log.records.map((r) => r.text.toString())).toEqual(['packaged']);
    expect(readdirSync('/var/lib/cronwrap/history')).toContain(`${JOB}.jsonl`);

    const removed = await slow('dpkg', ['-r', 'cronwrap']);
    expect(removed.status, removed.stderr).toBe(0);
    expect(existsSync('/usr/bin/cronwrap')).toBe(false);
    expect(existsSync('/usr/share/man/man1/cronwrap.1.gz')).toBe(false);
    expect(readFileSync(logged, 'utf8')).toContain('packaged');
    expect(existsSync('/etc/cronwrap/cronwrap.toml')).toBe(true); // a conffile stays until purge
  }, 60_000);
});
