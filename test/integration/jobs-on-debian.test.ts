import { chmodSync, chownSync, lchownSync, mkdirSync, symlinkSync, utimesSync, writeFileSync, appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { BIN, cronwrap, FIXTURES, sandbox, type Sandbox } from '../helpers/cronwrap.js';
import { cronTree } from '../helpers/cron-tree.js';

// `cronwrap jobs` on a stock Debian 12 host (test/fixtures/debian-12: its /etc/crontab with the run-parts
// lines, e2fsprogs' /etc/cron.d/e2scrub_all, the packages' /etc/cron.daily scripts and timers, enabled as
// Debian enables them, and dpkg's status with their conffiles), then with an admin's jobs added to it.

interface Listed {
  jobs: { source: string; kind: string; user: string; command: string; cronwrap: string | null; next_run: string | null; flags: string[] }[];
  problems: string[];
  hidden: number;
}

const asRoot = process.getuid?.() === 0 ? it : it.skip;

async function listed(args: readonly string[], box: Sandbox): Promise<Listed & { exitCode: number | undefined }> {
  const run = await cronwrap(['jobs', ...args, '--json'], box, { env: { TZ: 'UTC' } });
  return { ...(JSON.parse(run.stdout.toString()) as Listed), exitCode: run.exitCode };
}

/** The stock tree, and what an admin adds to it: their own lines, a changed /etc/crontab, a local script, an enabled instance. */
function adminsHost(box: Sandbox): string {
  const root = cronTree('debian-12', join(box.dir, 'root'));
  const file = (path: string, text: string, mode = 0o644) => {
    writeFileSync(join(root, path), text);
    chmodSync(join(root, path), mode);
  };
  appendFileSync(join(root, 'etc/crontab'), '0 4 * * * root /usr/local/bin/rotate-uploads\n'); // a conffile changed: the admin's now
  file('etc/cron.d/backup', '0 2 * * * root /usr/local/bin/cronwrap --name db-backup -- /usr/local/bin/backup.sh\n*/10 * * * * www-data /srv/app/bin/queue-flush\n');
  mkdirSync(join(root, 'var/spool/cron/crontabs'), { recursive: true });
  file('var/spool/cron/crontabs/alice', '30 7 * * 1 /home/alice/bin/report\n', 0o600);
  file('etc/cron.daily/local-cleanup', '#!/bin/sh\nfind /srv/tmp -mtime +7 -delete\n', 0o755);
  // `systemctl enable pg_dump@15-main.timer`: postgresql-common's template, WantedBy=postgresql@%i.service.
  mkdirSync(join(root, 'etc/systemd/system/postgresql@15-main.service.wants'));
  symlinkSync('/lib/systemd/system/pg_dump@.timer', join(root, 'etc/systemd/system/postgresql@15-main.service.wants/pg_dump@15-main.timer'));
  return root;
}

describe('cronwrap jobs on a stock Debian 12 host', () => {
  it('a fresh host: none of the distro plumbing is shown or flagged; --all lists it, every timer enabled, no template', async () => {
    const box = sandbox();
    const root = cronTree('debian-12', join(box.dir, 'root'));
    const table = await cronwrap(['jobs', '--root', root], box);
    expect(table.exitCode).toBe(0);
    expect(table.stdout.toString()).toBe(`no jobs to show under ${root}\n`);
    expect(table.stderr.toString()).toBe("cronwrap: 19 jobs of the distro's own plumbing not shown (files its packages shipped as they are, run-parts and anacron lines): --all shows them\n");

    const all = await listed(['--root', root, '--all'], box);
    expect(all.exitCode).toBe(0);
    expect(all.problems).toEqual([]);
    expect(all.hidden).toBe(0);
    expect(all.jobs.map((job) => `${job.source} ${job.kind}`)).toEqual([
      '/etc/crontab:7 run-parts',
      '/etc/crontab:8 run-parts',
      '/etc/crontab:9 run-parts',
      '/etc/crontab:10 run-parts',
      '/etc/cron.d/e2scrub_all:1 package',
      '/etc/cron.d/e2scrub_all:2 package',
      '/etc/cron.daily/apt-compat (run by /etc/crontab:8) package',
      '/etc/cron.daily/dpkg (run by /etc/crontab:8) package',
      '/etc/cron.daily/logrotate (run by /etc/crontab:8) package',
      '/etc/cron.daily/man-db (run by /etc/crontab:8) package',
      '/etc/cron.weekly/man-db (run by /etc/crontab:9) package',
      '/lib/systemd/system/apt-daily-upgrade.timer package',
      '/lib/systemd/system/apt-daily.timer package',
      '/lib/systemd/system/dpkg-db-backup.timer package',
      '/lib/systemd/system/e2scrub_all.timer package',
      '/lib/systemd/system/fstrim.timer package',
      '/lib/systemd/system/logrotate.timer package',
      '/lib/systemd/system/man-db.timer package',
      '/lib/systemd/system/systemd-tmpfiles-clean.timer package',
    ]);
    // Not "not wrapped" (nothing here is the admin's to wrap), and systemd-tmpfiles-clean.timer is enabled
    // by the vendor's own link in /lib/systemd/system/timers.target.wants.
    expect(all.jobs.filter((job) => job.flags.length > 0)).toEqual([]);
  });

  it("the admin's jobs among the distro's: shown by default, with an enabled template instance; --unwrapped and --user narrow them", async () => {
    const box = sandbox();
    const root = adminsHost(box);
    const mine = await listed(['--root', root], box);
    expect(mine.exitCode).toBe(0);
    expect(mine.hidden).toBe(19);
    expect(mine.jobs.map((job) => [job.source, job.user, job.cronwrap, job.flags.join('; ')])).toEqual([
      ['/etc/crontab:12', 'root', null, 'not wrapped by cronwrap'],
      ['/etc/cron.d/backup:1', 'root', 'db-backup', ''],
      ['/etc/cron.d/backup:2', 'www-data', null, 'not wrapped by cronwrap'],
      ['/var/spool/cron/crontabs/alice:1', 'alice', null, 'not wrapped by cronwrap'],
      ['/etc/cron.daily/local-cleanup (run by /etc/crontab:8)', 'root', null, 'not wrapped by cronwrap'],
      ['/lib/systemd/system/pg_dump@.timer as pg_dump@15-main.timer', 'postgres', null, 'not wrapped by cronwrap'],
    ]);
    expect(mine.jobs.at(-1)!.command).toBe('/usr/bin/pg_backupcluster 15-main dump');

    const unwrapped = await listed(['--root', root, '--unwrapped'], box);
    expect(unwrapped.jobs.map((job) => job.source)).not.toContain('/etc/cron.d/backup:1');
    expect(unwrapped.jobs).toHaveLength(5);
    expect((await listed(['--root', root, '--user', 'alice'], box)).jobs.map((job) => job.source)).toEqual(['/var/spool/cron/crontabs/alice:1']);
    const table = await cronwrap(['jobs', '--root', root, '--user', 'root', '--unwrapped'], box);
    expect(table.stdout.toString().split('\n').slice(1, -1).map((row) => row.split(/\s{2,}/)[1])).toEqual([
      '/etc/crontab:12',
      '/etc/cron.daily/local-cleanup (run by /etc/crontab:8)',
    ]);

    // --wrap leaves a package's file as shipped to the package, and the run-parts lines to run-parts.
    const wrap = await cronwrap(['jobs', '--wrap', '--root', root], box);
    expect(wrap.exitCode).toBe(0);
    expect(wrap.stdout.toString().match(/^--- .*$/gm)).toEqual(['--- /etc/crontab', '--- /etc/cron.d/backup', '--- /var/spool/cron/crontabs/alice']);
    expect(wrap.stdout.toString()).toMatch(/^\+0 4 \* \* \* root \S+ --name rotate-uploads -c \/usr\/local\/bin\/rotate-uploads$/m);
  });

  it('timers: a mask, a timer another unit Wants=, and one nothing enables', async () => {
    const box = sandbox();
    const root = adminsHost(box);
    symlinkSync('/dev/null', join(root, 'etc/systemd/system/fstrim.timer'));
    const unit = (name: string, text: string) => writeFileSync(join(root, 'etc/systemd/system', name), text);
    unit('sync.timer', '[Timer]\nOnCalendar=hourly\n');
    unit('sync.service', '[Service]\nExecStart=/usr/local/bin/cronwrap --name sync -- /srv/app/bin/sync\n');
    unit('app.service', '[Unit]\nWants=sync.timer network-online.target\n\n[Service]\nExecStart=/srv/app/bin/app\n');
    unit('orphan.timer', '[Timer]\nOnCalendar=daily\n\n[Install]\nWantedBy=timers.target\n');
    unit('orphan.service', '[Service]\nExecStart=/usr/local/bin/cronwrap --name orphan -- /bin/true\n');
    const all = await listed(['--root', root, '--all'], box);
    const flagsOf = (source: string) => all.jobs.find((job) => job.source === source)?.flags;
    expect(flagsOf('/lib/systemd/system/fstrim.timer')).toEqual(['timer masked: it never runs']);
    expect(flagsOf('/etc/systemd/system/sync.timer')).toEqual([]);
    expect(flagsOf('/etc/systemd/system/orphan.timer')).toEqual(['timer not enabled: it never runs']);
  });

  it('on a terminal the table is cut to its width, the command first; piped it is whole', async () => {
    const box = sandbox();
    const root = adminsHost(box);
    const command = `stty cols 150; exec ${BIN} jobs --all --root ${root}`;
    const shown = await execa('script', ['--quiet', '--return', '--command', command, '/dev/null'], { env: box.env, extendEnv: false, reject: false, stdin: 'ignore' });
    const lines = shown.stdout.split(/\r?\n/).filter((line) => line !== '' && !line.startsWith('cronwrap:'));
    expect(lines).toHaveLength(26);
    expect(Math.max(...lines.map((line) => line.length))).toBeLessThanOrEqual(150);
    expect(lines.find((line) => line.includes('/etc/cron.d/e2scrub_all:1'))).toMatch(/ {2}test -e \/run\S*…/);
    // Narrower: every other column gives way before the job's name and what to look at.
    const cronRoot = join(FIXTURES, 'cron-root');
    const narrow = await execa('script', ['--quiet', '--return', '--command', `stty cols 100; exec ${BIN} jobs --root ${cronRoot}`, '/dev/null'], { env: box.env, extendEnv: false, reject: false, stdin: 'ignore' });
    const names = (await listed(['--root', cronRoot], box)).jobs.flatMap((job) => job.cronwrap ?? []);
    expect(names.length).toBeGreaterThan(0);
    for (const name of names) expect(narrow.stdout, name).toMatch(new RegExp(`(^|\\s)${name}(\\s|$)`, 'm'));
    expect(narrow.stdout).not.toMatch(/not wrappe…|cron ignor…|timer not …/);
    const piped = await cronwrap(['jobs', '--all', '--root', root], box);
    expect(piped.stdout.toString()).toContain('test -e /run/systemd/system || SERVICE_MODE=1 /usr/lib/x86_64-linux-gnu/e2fsprogs/e2scrub_all_cron');
    expect(Math.max(...piped.stdout.toString().split('\n').map((line) => line.length))).toBeGreaterThan(200);
  });
});

describe('a crontab file Debian cron passes over whole', () => {
  asRoot('one rejected line, a dot in its name, group-writable, not root\'s, a symlink not root\'s: its lines never run, check does not call them MISSED (needs root)', async () => {
    const box = sandbox();
    const root = cronTree('debian-12', join(box.dir, 'root'));
    const cronD = (name: string) => join(root, 'etc/cron.d', name);
    const file = (name: string, text: string, mode = 0o644) => {
      writeFileSync(cronD(name), text);
      chmodSync(cronD(name), mode);
    };
    file('nightly', `0 1 * * * root ${BIN} --name nightly -- /bin/true\n0 25 * * * root /bin/true\n`);
    file('reports.cron', `0 6 * * * root ${BIN} --name reports -- /bin/true\n`);
    file('shared', `0 7 * * * root ${BIN} --name shared -- /bin/true\n`, 0o664);
    file('alices', `0 8 * * * root ${BIN} --name alices -- /bin/true\n`);
    chownSync(cronD('alices'), 65534, 65534);
    writeFileSync(join(root, 'etc/linked-target'), `0 9 * * * root ${BIN} --name linked -- /bin/true\n`);
    symlinkSync(join(root, 'etc/linked-target'), cronD('linked'));
    lchownSync(cronD('linked'), 65534, 65534);
    file('good', `0 5 * * * root ${BIN} --name good -- /bin/true\n`);
    const twoDaysAgo = Date.now() / 1000 - 2 * 86_400;
    for (const name of ['nightly', 'reports.cron', 'shared', 'alices', 'good']) utimesSync(cronD(name), twoDaysAgo, twoDaysAgo);
    utimesSync(join(root, 'etc/linked-target'), twoDaysAgo, twoDaysAgo);

    const found = await listed(['--root', root], box);
    expect(found.exitCode).toBe(1);
    expect(found.jobs.map((job) => [job.cronwrap, job.next_run === null, job.flags])).toEqual([
      ['good', false, []],
      ['alices', true, ['cron ignores this file: it never runs']],
      ['linked', true, ['cron ignores this file: it never runs']],
      ['nightly', true, ['cron ignores this file: it never runs']],
      ['reports', true, ['cron ignores this file: it never runs']],
      ['shared', true, ['cron ignores this file: it never runs']],
    ]);
    expect(found.problems).toEqual([
      "/etc/cron.d/nightly:2: cron rejects this line: hour '25': 25 is out of range 0-23",
      "/etc/cron.d/alices: cron ignores this whole file: it is owned by nobody (uid 65534), not root; its job does not run",
      "/etc/cron.d/linked: cron ignores this whole file: a symlink owned by nobody (uid 65534), not root; its job does not run",
      '/etc/cron.d/nightly: cron ignores this whole file: it rejects line 2; its job does not run',
      "/etc/cron.d/reports.cron: cron ignores this whole file: a name with characters other than letters, digits, '_' and '-'; its job does not run",
      '/etc/cron.d/shared: cron ignores this whole file: its group or others may write it (mode 0664); its job does not run',
    ]);

    // Known for two days, never run: only the job cron runs is MISSED; the others are told as not run.
    const check = await cronwrap(['check', '--root', root, '--json'], box);
    expect((JSON.parse(check.stdout.toString()) as { job: string; missed: string | null }[]).map((job) => [job.job, job.missed !== null])).toEqual([['good', true]]);
    expect(check.stderr.toString()).toContain('cronwrap: /etc/cron.d/nightly: cron ignores this whole file: it rejects line 2; its job does not run\n');
  });

  it('a FIFO, a device, a dangling link in cron.d, a link in the spool, a script run-parts will not run: told, never read, never a hang', async () => {
    const box = sandbox();
    const root = cronTree('debian-12', join(box.dir, 'root'));
    expect(spawnSync('mkfifo', [join(root, 'etc/cron.d/pipe')]).status).toBe(0);
    symlinkSync('/dev/zero', join(root, 'etc/cron.d/zero'));
    symlinkSync('/nonexistent/backup', join(root, 'etc/cron.d/dangling'));
    mkdirSync(join(root, 'var/spool/cron/crontabs'), { recursive: true });
    writeFileSync(join(root, 'etc/alice.cron'), '0 3 * * * /home/alice/bin/x\n');
    symlinkSync(join(root, 'etc/alice.cron'), join(root, 'var/spool/cron/crontabs/alice'));
    writeFileSync(join(root, 'etc/cron.daily/forgot-chmod'), '#!/bin/sh\n/usr/local/bin/cleanup\n', { mode: 0o644 });
    chmodSync(join(root, 'etc/cron.daily/forgot-chmod'), 0o644);
    const found = await listed(['--root', root], box);
    expect(found.exitCode).toBe(1);
    expect(found.jobs.map((job) => [job.source, job.flags])).toEqual([
      ['/var/spool/cron/crontabs/alice:1', ['cron ignores this file: it never runs']],
      ['/etc/cron.daily/forgot-chmod (run by /etc/crontab:8)', ['not executable: it never runs']],
    ]);
    expect(found.problems).toEqual([
      '/etc/cron.d/dangling: cron ignores this whole file: a symlink to /nonexistent/backup, which does not exist',
      '/etc/cron.d/pipe: cron ignores this whole file: not a regular file',
      '/etc/cron.d/zero: cron ignores this whole file: not a regular file',
      '/var/spool/cron/crontabs/alice: cron ignores this whole file: a symlink: cron reads no link in its spool; its job does not run',
    ]);
  });
});
