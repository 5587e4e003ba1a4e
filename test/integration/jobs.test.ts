import { chmodSync, chownSync, copyFileSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { execa } from 'execa';
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { BIN, cronwrap, cronwrapAt, cronwrapProcess, FIXTURES, hasFaketime, sandbox, waitFor, type Sandbox } from '../helpers/cronwrap.js';
import { footer, parseLog } from '../helpers/records.js';
import { startHttp, startSmtp } from '../helpers/servers.js';
import { underCron } from '../helpers/daemons.js';

// The Know-every-job issue: `cronwrap jobs` over a fixture tree of every kind of cron file.
const ROOT = join(FIXTURES, 'cron-root');

interface Listed {
  jobs: { source: string; user: string; schedule: string | null; words: string; next_run: string | null; cronwrap: string | null; last_result: string | null; typical_duration_ms: number | null; flags: string[] }[];
  problems: string[];
  unreadable: string[];
}

/** Runs of a job in the sandbox's history, each `minutes` long, ending in `exit`. */
function history(box: Sandbox, job: string, runs: { minutes: number; exit: number }[]): void {
  const dir = join(box.stateDir, 'history');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const lines = runs.map(({ minutes, exit }, i) => {
    const start = new Date(Date.UTC(2026, 10, 20, 9, i * 10));
    const end = new Date(start.getTime() + minutes * 60_000);
    return JSON.stringify({ job, run: `r${i}`, host: 'h', start: start.toISOString(), end: end.toISOString(), duration_ms: minutes * 60_000, exit, signal: null, timed_out: false, log: '/x.log', attempts: 1, lock_skipped: false, leftovers: [], leftovers_ended: false, notifications: [] });
  });
  writeFileSync(join(dir, `${job}.jsonl`), `${lines.join('\n')}\n`);
}

describe('cronwrap jobs', () => {
  it('lists every scheduled job of every kind of cron file and systemd timer, joined with its history, and flags what needs a look', async () => {
    const box = sandbox();
    history(box, 'sync-orders', [{ minutes: 14, exit: 0 }, { minutes: 16, exit: 0 }, { minutes: 15, exit: 2 }]);
    const run = await cronwrap(['jobs', '--root', ROOT, '--json'], box, { env: { TZ: 'UTC' } });
    expect(run.exitCode).toBe(1); // lines cron rejects: jobs that silently never run
    const listed = JSON.parse(run.stdout.toString()) as Listed;
    const bySource = new Map(listed.jobs.map((job) => [job.source, job]));
    expect([...bySource.keys()]).toEqual([
      '/etc/crontab:5',
      '/etc/crontab:6',
      '/etc/crontab:7',
      '/etc/cron.d/backup:3',
      '/etc/cron.d/backup:5',
      '/etc/cron.d/backup:7',
      '/etc/cron.d/backup:8',
      '/var/spool/cron/crontabs/alice:3',
      '/var/spool/cron/crontabs/alice:4',
      '/var/spool/cron/crontabs/bob:1',
      '/etc/anacrontab:3',
      '/etc/anacrontab:4',
      '/etc/anacrontab:5',
      '/etc/cron.daily/logrotate (run by /etc/crontab:6)',
      '/etc/cron.weekly/man-db (run by /etc/crontab:7)',
      '/etc/systemd/system/backup-db.timer',
      '/lib/systemd/system/fstrim.timer',
    ]);
    expect(bySource.get('/etc/systemd/system/backup-db.timer')).toMatchObject({ schedule: 'OnCalendar=*-*-* 00:30:00', words: 'systemd timer: OnCalendar=*-*-* 00:30:00', cronwrap: 'backup-db', flags: [] });
    expect(bySource.get('/lib/systemd/system/fstrim.timer')).toMatchObject({ command: '/sbin/fstrim --listed-in /etc/fstab --verbose --quiet-unsupported', flags: ['not wrapped by cronwrap', 'timer not enabled: it never fires'] });
    expect(bySource.get('/etc/cron.d/backup:3')).toMatchObject({ user: 'root', schedule: '1 0 * * *', words: 'At 00:01', cronwrap: 'mysql-backup', flags: [] });
    expect(bySource.get('/etc/cron.d/backup:5')).toMatchObject({ cronwrap: null, flags: ['not wrapped by cronwrap', 'runs every 1m00s'] });
    // Wrapped with -c and no --name. It runs as deploy, so its runs are in deploy's state directory: root's
    // `sync-orders` is another job (issue 23, item 8), and not joined with it.
    expect(bySource.get('/etc/cron.d/backup:7')).toMatchObject({ user: 'deploy', cronwrap: 'sync-orders', last_result: null, typical_duration_ms: null, flags: [] });
    expect(bySource.get('/etc/cron.d/backup:8')).toMatchObject({ schedule: '@reboot', next_run: null, cronwrap: 'warm-cache' });
    // CRON_TZ=Europe/Berlin: 02:30 there is 01:30 UTC in winter.
    expect(bySource.get('/var/spool/cron/crontabs/alice:3')!.next_run).toMatch(/T01:30:00\.000Z$/);
    expect(bySource.get('/etc/anacrontab:3')).toMatchObject({ words: 'daily, when anacron runs (after 5 min)', next_run: null });
    expect(bySource.get('/etc/cron.daily/logrotate (run by /etc/crontab:6)')).toMatchObject({ schedule: '25 6 * * *', flags: ['not wrapped by cronwrap'] });
    expect(listed.problems).toEqual([
      "/etc/cron.d/backup:10: cron rejects this line: minute '*/0': a step of 0",
      "/etc/cron.d/backup:11: cron rejects this line: hour '24': 24 is out of range 0-23",
      "/etc/cron.d/backup:12: cron rejects this line: day of week 'funday': 'funday' is not a number or a name",
      '/etc/cron.d/backup:13: cron rejects this line: unknown @fortnightly',
      '/etc/cron.d/backup:14: cron rejects this line: no user or command after the schedule',
      "/etc/cron.d/old.dpkg-dist: cron ignores this file: a name with characters other than letters, digits, '_' and '-'",
      '/var/spool/cron/crontabs/bob:2: no newline at the end of the file: cron ignores this last line',
    ]);
  });

  it("a line joined with its own runs: its typical run (15 min) outlasting its 10-minute interval is flagged", async () => {
    const box = sandbox();
    history(box, 'sync-orders', [{ minutes: 14, exit: 0 }, { minutes: 16, exit: 0 }, { minutes: 15, exit: 2 }]);
    const root = join(box.dir, 'root');
    mkdirSync(join(root, 'etc', 'cron.d'), { recursive: true });
    writeFileSync(join(root, 'etc', 'cron.d', 'sync'), "*/10 9-17 * * mon-fri root /usr/local/bin/cronwrap -c '/usr/local/bin/sync-orders --all'\n");
    const listed = JSON.parse((await cronwrap(['jobs', '--root', root, '--json'], box, { env: { TZ: 'UTC' } })).stdout.toString()) as Listed;
    expect(listed.jobs).toMatchObject([
      { cronwrap: 'sync-orders', last_result: 'exit 2', typical_duration_ms: 16 * 60_000, flags: ['a typical run (16m00s) outlasts its interval (10m00s)'] },
    ]);
  });

  it('the same command scheduled twice is flagged on both lines', async () => {
    const box = sandbox();
    const root = join(box.dir, 'root');
    mkdirSync(join(root, 'etc', 'cron.d'), { recursive: true });
    writeFileSync(join(root, 'etc', 'crontab'), '0 3 * * * root /usr/local/bin/cleanup  --old\n');
    writeFileSync(join(root, 'etc', 'cron.d', 'cleanup'), '30 3 * * * root /usr/local/bin/cleanup --old\n');
    const listed = JSON.parse((await cronwrap(['jobs', '--root', root, '--json'], box)).stdout.toString()) as Listed;
    expect(listed.jobs.map((job) => job.flags.at(-1))).toEqual(['also scheduled at /etc/cron.d/cleanup:1', 'also scheduled at /etc/crontab:1']);
  });

  it('a user who may not read a crontab directory is told what is not shown; the table names each job', async () => {
    const box = sandbox();
    chmodSync(box.dir, 0o755);
    const root = join(box.dir, 'root');
    mkdirSync(join(root, 'var', 'spool', 'cron', 'crontabs'), { recursive: true });
    chmodSync(join(root, 'var', 'spool', 'cron', 'crontabs'), 0o700);
    mkdirSync(join(root, 'etc'), { recursive: true });
    writeFileSync(join(root, 'etc', 'crontab'), '1 0 * * * root /usr/local/bin/cronwrap --name nightly -- /bin/true\n');
    // As root, the job list runs as nobody (permissions mean nothing to root), from the single-file build
    // copied beside: nobody may not be able to enter the checkout.
    const binary = join(box.dir, 'cronwrap');
    copyFileSync(join(BIN, '..', '..', 'dist', 'cronwrap-standalone.cjs'), binary);
    chmodSync(binary, 0o755);
    const asNobody = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
    const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', CRONWRAP_CONFIG: '/dev/null', CRONWRAP_STATE_DIR: join(box.dir, 'nobody-state'), HOME: box.dir, TZ: 'UTC' };
    const run = await execa(process.execPath, [binary, 'jobs', '--root', root], { ...asNobody, env, extendEnv: false, reject: false });
    expect(run.stdout).toMatch(/^JOB +SOURCE +USER +SCHEDULE +NEXT RUN +LAST RUN +LOOK AT\nnightly +\/etc\/crontab:1 +root +At 00:01 /);
    if (process.getuid?.() === 0) expect(run.stderr).toMatch(/cronwrap: not shown, cannot read \/var\/spool\/cron\/crontabs: EACCES/);
  });
});

describe('a wrapped job knows its schedule', () => {
  it('--schedule gives the metrics the latest time the next run may start; a bad one is refused with the fix', async () => {
    const box = sandbox();
    const metrics = join(box.dir, 'metrics');
    const before = Date.now() / 1000;
    const run = await cronwrap(['--name', 'five', '--schedule', '*/5 * * * *', '--metrics-dir', metrics, '--', 'true'], box);
    const after = Date.now() / 1000;
    expect(run.exitCode).toBe(0);
    const text = readFileSync(join(metrics, 'cronwrap_five.prom'), 'utf8');
    const deadline = Number(/^cronwrap_next_run_deadline_timestamp_seconds\{cron_job="five"\} (\d+)$/m.exec(text)?.[1]);
    // The next 5-minute mark after the start (which came between before and after), plus a minute of grace.
    expect(deadline % 300).toBe(60);
    expect(deadline).toBeGreaterThan(before + 60);
    expect(deadline).toBeLessThanOrEqual(after + 5 * 60 + 60);
    const bad = await cronwrap(['--name', 'five', '--schedule', '0 25 * * *', '--', 'true'], box);
    expect(bad.exitCode).toBe(125);
    expect(bad.stderr.toString()).toMatch(/--schedule: '0 25 \* \* \*' is not a cron schedule: hour '25': 25 is out of range 0-23; give five fields/);
  });

  it('without --schedule or a crontab line that runs it, no deadline series: nothing to miss', async () => {
    const box = sandbox();
    const metrics = join(box.dir, 'metrics');
    await cronwrap(['--name', 'unscheduled-test-job', '--metrics-dir', metrics, '--', 'true'], box);
    expect(readFileSync(join(metrics, 'cronwrap_unscheduled-test-job.prom'), 'utf8')).not.toContain('cronwrap_next_run_deadline_timestamp_seconds');
  });
});

describe.skipIf(!hasFaketime)('cronwrap check: the run that never happened (needs faketime)', () => {
  /** The built binary with its clock `shift` ahead (Debian's faketime; the monotonic clock left alone). */
  async function later(shift: string, args: readonly string[], box: Sandbox, env: Record<string, string>) {
    const run = await cronwrapAt(shift, args, box, { env });
    return { exitCode: run.exitCode, stdout: run.stdout.toString() };
  }

  /**
   * A sandbox with a real SMTP server for its mail, and an empty cron tree: the host's own crontabs (and
   * another test's cron.d file) are none of these tests' business.
   */
  async function mailedSandbox() {
    const smtp = await startSmtp();
    const box = sandbox();
    const root = join(box.dir, 'no-crontabs');
    mkdirSync(root);
    return { smtp, box, root, env: { CRONWRAP_SMTP_URL: `smtp://127.0.0.1:${smtp.port}`, CRONWRAP_MAIL_TO: 'ops@example.com' } };
  }

  it('does not call the runs of a paused job missed, until the pause ends or expires', async () => {
    const { smtp, box, root, env } = await mailedSandbox();
    expect((await cronwrap(['--name', 'hourly', '--schedule', '0 * * * *', '--', 'true'], box, { env })).exitCode).toBe(0);
    expect((await cronwrap(['pause', 'hourly', '--reason', 'maintenance'], box)).exitCode).toBe(0);
    const paused = await later('+3h', ['check', '--root', root], box, env);
    expect(paused.exitCode).toBe(0);
    expect(smtp.mails).toHaveLength(0);
    expect((await cronwrap(['pause', 'hourly', '--for', '1h'], box)).exitCode).toBe(0);
    const expired = await later('+3h', ['check', '--root', root], box, env); // the one-hour pause is over by then
    expect(expired.exitCode).toBe(1);
    expect(expired.stdout.toString()).toContain('MISSED');
  });

  it('finds a missed hourly run three hours on, mails MISSED once per episode, and RECOVERED when the job runs again', async () => {
    const { smtp, box, root, env } = await mailedSandbox();
    const job = ['--name', 'hourly', '--schedule', '0 * * * *', '--', 'true'];
    expect((await cronwrap(job, box, { env })).exitCode).toBe(0);
    const now = await cronwrap(['check', '--root', root], box, { env });
    expect(now.exitCode).toBe(0);
    expect(now.stdout.toString()).toBe(''); // under cron, silent while nothing is missed

    const told = await later('+3h', ['check', '--root', root], box, env);
    expect(told.stdout).toMatch(/^cronwrap: job hourly MISSED on \S+: did not start at /);
    const missed = await later('+3h', ['check', '--root', root, '--json'], box, env);
    expect(missed.exitCode).toBe(1);
    const [verdict] = JSON.parse(missed.stdout) as { job: string; missed: string | null; source: string }[];
    expect(verdict).toMatchObject({ job: 'hourly', source: 'history', missed: expect.stringMatching(/T\d\d:00:00\.000Z$/) });
    expect(smtp.mails).toHaveLength(1);
    expect(smtp.mails[0]!.raw).toMatch(/^Subject: \[cronwrap\] hourly MISSED on \S+ \(due \d{4}-\d\d-\d\dT\d\d:00:00\.000Z\)$/m);
    const body = smtp.mails[0]!.raw.replace(/=\r?\n/g, ''); // quoted-printable's soft line breaks
    expect(body).toMatch(/^due: +\d{4}-\d\d-\d\dT\d\d:00:00\.000Z\r?$/m);
    expect(body).toMatch(/did not start at .* \(schedule '0 \* \* \* \*', from history\); last run started/);

    const status = await later('+3h', ['status', '--json'], box, env);
    expect(status.exitCode).toBe(1);
    expect(JSON.parse(status.stdout)).toMatchObject([{ job: 'hourly', schedule: '0 * * * *', failing: false, missed: verdict!.missed }]);
    const again = await later('+3h', ['check', '--root', root], box, env);
    expect(again.exitCode).toBe(1);
    expect(again.stdout).toBe(''); // told already: cron's mail, too, comes once per episode
    expect(smtp.mails).toHaveLength(1); // one notice per episode

    expect((await later('+3h', job, box, env)).exitCode).toBe(0);
    expect(smtp.mails).toHaveLength(2);
    expect(smtp.mails[1]!.raw).toMatch(/^Subject: \[cronwrap\] hourly RECOVERED on /m);
    expect((await later('+3h', ['check', '--root', root], box, env)).exitCode).toBe(0);
  });

  it('a run still going past its --timeout two hours on is STUCK, told once; a run that ended leaves no mark', async () => {
    const { smtp, box, root, env } = await mailedSandbox();
    await cronwrap(['--name', 'quick', '--', 'true'], box, { env });
    expect(readdirSync(join(box.stateDir, 'running'))).toEqual([]);
    const stuck = cronwrapProcess(['--name', 'slow', '--timeout', '1m', '--', 'sleep', '60'], box, { env });
    await waitFor(() => readdirSync(join(box.stateDir, 'running')).some((name) => name.startsWith('slow.')));
    try {
      expect((await cronwrap(['check', '--root', root], box, { env })).exitCode).toBe(0); // not past its time yet
      const later2h = await later('+2h', ['check', '--root', root], box, env);
      expect(later2h.exitCode).toBe(1);
      expect(later2h.stdout).toMatch(/^cronwrap: job slow STUCK on \S+: still running after 2h0\dm \(run \w+, cronwrap pid \d+\), though its --timeout is 1m00s$/m);
      expect((await later('+2h', ['check', '--root', root], box, env)).stdout).toBe('');
      // Headers unfolded: a long subject continues on the next line.
      expect(smtp.mails.map((mail) => /^Subject: (.*)$/m.exec(mail.raw.replace(/\r?\n[ \t]+/g, ' '))?.[1])).toEqual([expect.stringMatching(/^\[cronwrap\] slow STUCK on \S+ \(running since \d{4}-/)]);
    } finally {
      stuck.kill('SIGTERM');
      await stuck;
    }
  });

  it('a wrapped crontab line added after its last scheduled start has missed nothing', async () => {
    const box = sandbox();
    const root = join(box.dir, 'root');
    mkdirSync(join(root, 'etc', 'cron.d'), { recursive: true });
    writeFileSync(join(root, 'etc', 'cron.d', 'nightly'), '1 0 * * * root /usr/local/bin/cronwrap --name nightly -- /bin/true\n');
    const fresh = await cronwrap(['check', '--root', root, '--json'], box);
    expect(JSON.parse(fresh.stdout.toString())).toEqual([{ job: 'nightly', schedule: '1 0 * * *', source: '/etc/cron.d/nightly:1', missed: null, last_run: null }]);
    expect(fresh.exitCode).toBe(0);
    const twoDaysOn = await later('+2d', ['check', '--root', root, '--json'], box, {});
    expect(twoDaysOn.exitCode).toBe(1);
    expect(JSON.parse(twoDaysOn.stdout)).toMatchObject([{ job: 'nightly', missed: expect.stringMatching(/T00:01:00\.000Z$/) }]);
  });
});

describe('runs too long or too short', () => {
  it('a successful run under a fifth of its usual duration is a warning: webhook kind warning, footer, history, status', async () => {
    const hook = await startHttp();
    const box = sandbox();
    // The job's last five successful runs took about 50 minutes each (a failed one does not count).
    history(box, 'index', [48, 50, 52, 3, 50, 49].map((minutes) => ({ minutes, exit: minutes === 3 ? 1 : 0 })));
    const run = await cronwrap(['--name', 'index', '--webhook', hook.url, '--', 'true'], box);
    expect(run.exitCode).toBe(0);
    expect(footer(parseLog(box.logOf('index'))).duration_warning).toMatch(/^ran \d+ms, under a fifth of its usual 50m00s \(the median of its last 5 successful runs\)$/);
    expect(hook.requests.map((r) => (JSON.parse(r.body) as { kind: string; summary: string }).kind)).toEqual(['warning']);
    expect((JSON.parse(hook.requests[0]!.body) as { summary: string }).summary).toMatch(/^\[cronwrap\] index WARNING on \S+ \(ran \d+ms, under a fifth/);
    const [record] = JSON.parse((await cronwrap(['history', 'index', '--json'], box)).stdout.toString()) as { duration_warning?: string }[];
    expect(record!.duration_warning).toMatch(/under a fifth/);
    expect(JSON.parse((await cronwrap(['status', '--json'], box)).stdout.toString())).toMatchObject([{ job: 'index', last_result: 'ok, duration warning', failing: false }]);
  });

  it('--expect-duration MIN..MAX sets the bounds; a bad range is refused with the fix', async () => {
    const box = sandbox();
    const run = await cronwrap(['--name', 'quick', '--expect-duration', '1m..', '--', 'true'], box);
    expect(footer(parseLog(box.logOf('quick'))).duration_warning).toMatch(/^ran \d+ms, less than the 1m00s expected \(--expect-duration\)$/);
    expect(run.exitCode).toBe(0);
    const bad = await cronwrap(['--name', 'quick', '--expect-duration', '2h..1m', '--', 'true'], box);
    expect(bad.exitCode).toBe(125);
    expect(bad.stderr.toString()).toMatch(/--expect-duration: '2h\.\.1m' runs backwards/);
  });
});

describe('cronwrap jobs --wrap: bring the glue under cronwrap', () => {
  /** A cron tree of the sandbox's own with one system file of glue, root:nogroup 0640. */
  function glueTree(box: Sandbox): string {
    const root = join(box.dir, 'root');
    mkdirSync(join(root, 'etc', 'cron.d'), { recursive: true });
    const file = join(root, 'etc', 'cron.d', 'glue');
    writeFileSync(file, `MAILTO=ops\n# restart the app\n*/5 * * * * root  echo "restarted $(echo app)" | tr a-z A-Z\n1 0 * * * root ${BIN} --name nightly -- true\n0 1 * * * root printf 'x%y'\n`);
    chmodSync(file, 0o640);
    chownSync(file, 0, 65534);
    return root;
  }

  it('shows a diff and writes nothing; --apply writes it (mode and owner kept, a backup in the state dir), and the new line runs', async () => {
    const box = sandbox();
    const root = glueTree(box);
    const file = join(root, 'etc', 'cron.d', 'glue');
    const before = readFileSync(file, 'utf8');
    const shown = await cronwrap(['jobs', '--wrap', '--root', root], box);
    expect(shown.exitCode).toBe(0);
    expect(shown.stdout.toString()).toBe(
      `--- /etc/cron.d/glue\n+++ /etc/cron.d/glue\n@@ -3 +3 @@\n-*/5 * * * * root  echo "restarted $(echo app)" | tr a-z A-Z\n+*/5 * * * * root  ${BIN} --name echo -c 'echo "restarted $(echo app)" | tr a-z A-Z'\n`,
    );
    expect(shown.stderr.toString()).toMatch(/\/etc\/cron\.d\/glue:5: left as it is: it has a % \(cron's stdin\)/);
    expect(readFileSync(file, 'utf8')).toBe(before);

    const applied = await cronwrap(['jobs', '--wrap', '--apply', '--root', root], box);
    expect(applied.exitCode).toBe(0);
    const after = readFileSync(file, 'utf8');
    expect(after.split('\n')[2]).toBe(`*/5 * * * * root  ${BIN} --name echo -c 'echo "restarted $(echo app)" | tr a-z A-Z'`);
    expect(statSync(file)).toMatchObject({ mode: 0o100640, uid: 0, gid: 65534 });
    expect(readdirSync(join(box.stateDir, 'backups')).map((name) => readFileSync(join(box.stateDir, 'backups', name), 'utf8'))).toEqual([before]);
    const listed = JSON.parse((await cronwrap(['jobs', '--root', root, '--json'], box)).stdout.toString()) as Listed;
    expect(listed.jobs.map((job) => job.cronwrap)).toEqual(['echo', 'nightly', null]);
    // The rewritten command, as cron would run it: through sh, logged under its new name.
    const command = after.split('\n')[2]!.replace(/^(\S+\s+){6}/, '');
    const ran = await execa('sh', ['-c', command], { env: box.env, extendEnv: false, reject: false });
    expect(ran.exitCode).toBe(0);
    expect(box.logOf('echo').toString()).toMatch(/out\| RESTARTED APP\n/);
  });

  it('refuses a file with lines cron rejects, and --apply without --wrap', async () => {
    const box = sandbox();
    const root = join(box.dir, 'root');
    mkdirSync(join(root, 'etc', 'cron.d'), { recursive: true });
    writeFileSync(join(root, 'etc', 'cron.d', 'broken'), '* * * * * root /bin/true\n0 24 * * * root /bin/true\n');
    const refused = await cronwrap(['jobs', '--wrap', '--apply', '--root', root], box);
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr.toString()).toMatch(/\/etc\/cron\.d\/broken: not rewritten: cron rejects or ignores lines of it \(line 2\): fix them first/);
    expect(readFileSync(join(root, 'etc', 'cron.d', 'broken'), 'utf8')).toBe('* * * * * root /bin/true\n0 24 * * * root /bin/true\n');
    expect((await cronwrap(['jobs', '--apply'], box)).stderr.toString()).toMatch(/--apply writes what --wrap shows; give --wrap --apply/);
  });

  const asRoot = process.getuid?.() === 0 ? it : it.skip;
  asRoot('never writes through a link to a file another user owns or could write, nor such a file: refused and said, all left as it was (needs root)', async () => {
    const box = sandbox();
    const root = join(box.dir, 'root');
    const cronD = join(root, 'etc', 'cron.d');
    const spool = join(root, 'var', 'spool', 'cron', 'crontabs');
    mkdirSync(cronD, { recursive: true });
    mkdirSync(spool, { recursive: true });
    // nobody's own directory and files; root made the links to them.
    const theirs = join(box.dir, 'nobody');
    mkdirSync(theirs, { mode: 0o755 });
    chownSync(theirs, 65534, 65534);
    const line = '*/5 * * * * root /opt/app/brett.sh restart\n';
    const own = (path: string, mode: number) => {
      writeFileSync(path, line);
      chmodSync(path, mode);
      chownSync(path, 65534, 65534);
    };
    own(join(theirs, 'app.cron'), 0o664);
    symlinkSync(join(theirs, 'app.cron'), join(cronD, 'linked'));
    own(join(cronD, 'theirs'), 0o644);
    mkdirSync(join(root, 'srv'));
    own(join(root, 'srv', 'their.cron'), 0o644);
    symlinkSync(join(root, 'srv', 'their.cron'), join(cronD, 'linked-file'));
    writeFileSync(join(cronD, 'shared'), line, { mode: 0o664 });
    chmodSync(join(cronD, 'shared'), 0o664);
    own(join(theirs, 'crontab'), 0o600);
    // root's own file, but outside the tree given: a mounted image's link must not make root write the host's files.
    writeFileSync(join(box.dir, 'outside.cron'), line, { mode: 0o644 });
    symlinkSync(join(box.dir, 'outside.cron'), join(cronD, 'outside'));
    symlinkSync(join(theirs, 'crontab'), join(spool, 'nobody'));

    for (const args of [['jobs', '--wrap', '--root', root], ['jobs', '--wrap', '--apply', '--root', root]]) {
      const run = await cronwrap(args, box);
      expect(run.exitCode).toBe(1);
      expect(run.stdout.toString()).toBe(''); // no diff: nothing would be written
      const said = run.stderr.toString();
      // The link leads into nobody's directory: refused there, before the file.
      expect(said).toMatch(/cronwrap: \/etc\/cron\.d\/linked: not rewritten: not safe: \S+\/nobody is owned by nobody \(uid 65534\); a system crontab's lines may run as root: it is rewritten only when root owns it/);
      expect(said).toMatch(/cronwrap: \/etc\/cron\.d\/linked-file: not rewritten: not safe: \S+\/srv\/their\.cron is owned by nobody \(uid 65534\)/);
      expect(said).toMatch(/cronwrap: \/etc\/cron\.d\/outside: not rewritten: not safe: \S+\/etc\/cron\.d\/outside leads to \S+\/outside\.cron, outside \S+\/root;/);
      expect(said).toMatch(/cronwrap: \/etc\/cron\.d\/theirs: not rewritten: not safe: \S+\/theirs is owned by nobody \(uid 65534\)/);
      expect(said).toMatch(/cronwrap: \/etc\/cron\.d\/shared: not rewritten: not safe: \S+\/shared can be written by its group; chmod go-w /);
      expect(said).toMatch(/cronwrap: \/var\/spool\/cron\/crontabs\/nobody: not rewritten: not safe: \S+\/crontabs\/nobody is a symbolic link: cron reads no link in its spool/);
    }
    expect(lstatSync(join(cronD, 'linked')).isSymbolicLink()).toBe(true);
    expect(readlinkSync(join(cronD, 'linked'))).toBe(join(theirs, 'app.cron'));
    expect(lstatSync(join(cronD, 'linked-file')).isSymbolicLink()).toBe(true);
    for (const path of [join(theirs, 'app.cron'), join(root, 'srv', 'their.cron'), join(cronD, 'theirs'), join(theirs, 'crontab')]) {
      expect(readFileSync(path, 'utf8')).toBe(line);
      expect(statSync(path).uid).toBe(65534);
    }
    for (const path of [join(cronD, 'shared'), join(box.dir, 'outside.cron')]) expect(readFileSync(path, 'utf8')).toBe(line);
    expect(existsSync(join(box.stateDir, 'backups'))).toBe(false);
  });

  asRoot("a link root made to root's own file stays a link: the file is replaced whole, root's, its mode kept; the cronwrap path is quoted (needs root)", async () => {
    const box = sandbox();
    const root = join(box.dir, 'root');
    mkdirSync(join(root, 'etc', 'cron.d'), { recursive: true });
    const deploy = join(root, 'srv', 'app');
    mkdirSync(deploy, { recursive: true });
    const target = join(deploy, 'app.cron');
    writeFileSync(target, '*/5 * * * * root  echo "linked $(echo ok)"\n');
    chmodSync(target, 0o644);
    symlinkSync(target, join(root, 'etc', 'cron.d', 'app'));
    const inode = statSync(target).ino;
    // The cronwrap that runs sits in a directory with a space: the line must still call it.
    const tools = join(box.dir, 'my tools');
    mkdirSync(tools);
    const binary = join(tools, 'cronwrap');
    copyFileSync(join(BIN, '..', '..', 'dist', 'cronwrap-standalone.cjs'), binary);
    chmodSync(binary, 0o755);
    const applied = await execa(process.execPath, [binary, 'jobs', '--wrap', '--apply', '--root', root], { env: box.env, extendEnv: false, reject: false });
    expect(applied.exitCode).toBe(0);
    expect(lstatSync(join(root, 'etc', 'cron.d', 'app')).isSymbolicLink()).toBe(true);
    const after = readFileSync(target, 'utf8');
    expect(after).toBe(`*/5 * * * * root  '${binary}' --name echo -c 'echo "linked $(echo ok)"'\n`);
    expect(statSync(target)).toMatchObject({ mode: 0o100644, uid: 0, gid: 0 });
    expect(statSync(target).ino).not.toBe(inode); // a new file renamed over the old: never half written
    // As cron runs it: through sh, under the quoted path.
    const ran = await execa('sh', ['-c', after.trim().replace(/^(\S+\s+){6}/, '')], { env: box.env, extendEnv: false, reject: false });
    expect(ran.exitCode).toBe(0);
    expect(box.logOf('echo').toString()).toMatch(/out\| linked ok\n/);
  });

  const asRootWithCrontab = process.getuid?.() === 0 && (spawnSync('sh', ['-c', 'command -v crontab']).status === 0 || process.env.CI) ? it : it.skip;
  asRootWithCrontab("a user's crontab goes back in through crontab(1): crontab -l shows the wrapped line (needs root and cron)", async () => {
    const box = sandbox();
    const mine = join(box.dir, 'crontab');
    writeFileSync(mine, '17 3 * * * /usr/bin/find /tmp -maxdepth 0\n');
    expect(spawnSync('crontab', ['-u', 'nobody', mine]).status).toBe(0);
    try {
      const applied = await cronwrap(['jobs', '--wrap', '--apply', '/var/spool/cron/crontabs/nobody'], box);
      expect(applied.stderr.toString()).toMatch(/\/var\/spool\/cron\/crontabs\/nobody: 1 line now run under cronwrap/);
      const listed = spawnSync('crontab', ['-u', 'nobody', '-l'], { encoding: 'utf8' }).stdout;
      expect(listed).toContain(`17 3 * * * ${BIN} --name find -c '/usr/bin/find /tmp -maxdepth 0'`);
    } finally {
      spawnSync('crontab', ['-u', 'nobody', '-r']);
    }
  });
});

// A real Debian cron daemon runs a wrapped job: as root, with cron and faketime (cron's clock starts five
// seconds before a minute, so the test waits seconds, not a minute). CI has both; elsewhere it is skipped.
const withCronDaemon = process.getuid?.() === 0 && (['cron', 'faketime'].every((tool) => spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0) || process.env.CI) ? describe : describe.skip;

withCronDaemon('under a real cron daemon (needs root, cron and faketime)', () => {
  it('cron runs the crontab line through cronwrap: the log, the history, and cronwrap jobs joining them', async () => {
    const box = sandbox();
    const name = `cronwrap-e2e-${process.pid}`;
    const file = join('/etc/cron.d', name);
    // cron gives jobs PATH=/usr/bin:/bin: name node's directory too, as a crontab on such a host would.
    const env = `PATH=${dirname(process.execPath)}:/usr/bin:/bin\nCRONWRAP_STATE_DIR=${box.stateDir}\nCRONWRAP_LOG_DIR=${box.logDir}\nCRONWRAP_CONFIG=${box.env.CRONWRAP_CONFIG}\n`;
    const logged = join(box.logDir, 'from-cron.log');
    await underCron(name, `${env}* * * * * root ${BIN} --name from-cron -- sh -c 'echo ran by cron'\n`, () => existsSync(logged) && readFileSync(logged, 'utf8').includes('=== end'), box.dir);
    const log = parseLog(box.logOf('from-cron'));
    expect(footer(log)).toMatchObject({ exit: '0' });
    expect(log.records.map((r) => r.text.toString())).toEqual(['ran by cron']);
    writeFileSync(file, `* * * * * root ${BIN} --name from-cron -- sh -c 'echo ran by cron'\n`);
    try {
      const listed = JSON.parse((await cronwrap(['jobs', '--json'], box)).stdout.toString()) as Listed;
      expect(listed.jobs.find((job) => job.source === `${file}:1`)).toMatchObject({ cronwrap: 'from-cron', last_result: 'ok', flags: ['runs every 1m00s'] });
    } finally {
      rmSync(file, { force: true });
    }
  });
});
