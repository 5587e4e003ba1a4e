import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterEach, describe, expect, it } from 'vitest';
import { BIN, cronwrapProcess, sandbox, waitFor, type Sandbox } from '../helpers/cronwrap.js';
import { startServe, type Serving } from '../helpers/serve.js';
import { pagerDutyAnswer, startHttp, startSmtp } from '../helpers/servers.js';

// Issue 23, items 8 and 2: a job is the pair (the state directory its runs are recorded in, its name). Root's
// check, status, jobs and live view judge root's own lines; a user's crontab can neither hide root's job, nor
// add jobs of its own to root's, nor steer root's alerts. And check tells a MISSED run through the channels
// written on the job's own line, as its runs do.

const has = (tool: string) => spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0;
const withFaketime = has('faketime') || process.env.CI ? describe : describe.skip;
const asRoot = process.getuid?.() === 0 && ['unshare', 'setpriv'].every(has) ? it : it.skip;

/** A cron tree: `cron.d` files and users' crontabs, written a day before the clock the tests set (2030). */
function cronTree(box: Sandbox, files: { cronD?: Record<string, string>; users?: Record<string, string> }): string {
  const root = join(box.dir, 'root');
  const write = (dir: string, name: string, text: string) => {
    mkdirSync(join(root, dir), { recursive: true });
    const path = join(root, dir, name);
    writeFileSync(path, text);
    utimesSync(path, new Date('2030-01-06T10:00:00Z'), new Date('2030-01-06T10:00:00Z'));
  };
  for (const [name, text] of Object.entries(files.cronD ?? {})) write('etc/cron.d', name, text);
  for (const [user, text] of Object.entries(files.users ?? {})) write('var/spool/cron/crontabs', user, text);
  return root;
}

/** The built binary at a fixed UTC time, or `+2h` on (the clock runs on from there), after `prefix` (another user, a mount namespace). */
function at(time: string, args: readonly string[], box: Sandbox, options: { prefix?: readonly string[]; env?: Record<string, string> } = {}) {
  const [command, ...rest] = [...(options.prefix ?? []), 'faketime', '-f', time.startsWith('+') ? time : `@${time}`, BIN, ...args];
  return execa(command!, rest, { env: { ...box.env, TZ: 'UTC', FAKETIME_DONT_FAKE_MONOTONIC: '1', ...options.env }, extendEnv: false, reject: false });
}

/** What a `--json` command printed; when it printed no JSON, the failure says what it said on stderr and how it ended. */
function jsonOf(result: { stdout: string; stderr: string; exitCode?: number }): unknown {
  try {
    return JSON.parse(result.stdout);
  } catch {
    throw new Error(`no JSON on stdout (exit ${result.exitCode}): stdout ${JSON.stringify(result.stdout)}, stderr ${JSON.stringify(result.stderr)}`);
  }
}

const ROOT_BACKUP = '*/5 * * * * root /usr/bin/cronwrap --name backup -- true\n';

withFaketime("a user's crontab and root's jobs (needs faketime)", () => {
  it("root's check: a user's line of the same name hides nothing, and made-up names page no one", async () => {
    const box = sandbox();
    const hook = await startHttp();
    const theirs = (name: string, schedule = '* * * * *') => `${schedule} /usr/bin/cronwrap --name ${name} --webhook ${hook.url}/theirs -- true`;
    const root = cronTree(box, {
      cronD: { backup: ROOT_BACKUP },
      users: { nobody: [theirs('backup', '0 0 30 2 *'), ...['ghost-1', 'ghost-2', 'ghost-3'].map((name) => theirs(name))].join('\n') + '\n' },
    });
    const checked = await at('2030-01-07 10:11:00', ['check', '--root', root, '--json'], box, { env: { CRONWRAP_WEBHOOKS: `${hook.url}/root` } });
    expect(jsonOf(checked)).toEqual([{ job: 'backup', schedule: '*/5 * * * *', source: '/etc/cron.d/backup:1', missed: '2030-01-07T10:10:00.000Z', last_run: null }]);
    expect(checked.exitCode).toBe(1);
    // One MISSED notice, root's backup, through root's channel; none through the one the user wrote.
    expect(hook.requests.map((request) => [request.url, (JSON.parse(request.body) as { job: string; kind: string }).job])).toEqual([['/root', 'backup']]);
  });

  it("a root line whose runs go to another state directory is not judged against this one's", async () => {
    const box = sandbox();
    const elsewhere = join(box.dir, 'elsewhere');
    const root = cronTree(box, {
      cronD: {
        backup: ROOT_BACKUP,
        moved: [
          `*/5 * * * * root /usr/bin/cronwrap --state-dir=${elsewhere} --name moved -- true`,
          `*/5 * * * * root CRONWRAP_STATE_DIR=${elsewhere} /usr/bin/cronwrap --name moved-on-line -- true`,
          `CRONWRAP_STATE_DIR=${elsewhere}`,
          '*/5 * * * * root /usr/bin/cronwrap --name moved-by-crontab -- true',
          '',
        ].join('\n'),
      },
    });
    const checked = await at('2030-01-07 10:11:00', ['check', '--root', root, '--json'], box);
    expect((jsonOf(checked) as { job: string }[]).map((job) => job.job)).toEqual(['backup']);
    // Checked in that state directory, they are its jobs.
    const there = await at('2030-01-07 10:11:00', ['check', '--root', root, '--json', '--state-dir', elsewhere], box);
    expect((jsonOf(there) as { job: string }[]).map((job) => job.job)).toEqual(['moved', 'moved-by-crontab', 'moved-on-line']);
  });

  asRoot("a user's check judges that user's own jobs, in that user's state directory, not root's", async () => {
    const box = sandbox();
    chmodSync(box.dir, 0o755);
    mkdirSync(box.stateDir, { mode: 0o700 });
    chownSync(box.stateDir, 65534, 65534);
    const root = cronTree(box, { cronD: { backup: ROOT_BACKUP }, users: { nobody: '*/5 * * * * /usr/bin/cronwrap --name mine -- true\n' } });
    const asNobody = { prefix: ['setpriv', '--reuid=nobody', '--regid=nogroup', '--clear-groups'] };
    expect((await at('2030-01-07 10:05:02', ['--name', 'mine', '--', 'true'], box, asNobody)).exitCode).toBe(0);
    const checked = await at('2030-01-07 10:08:00', ['check', '--root', root, '--json'], box, asNobody);
    expect(jsonOf(checked)).toEqual([
      { job: 'mine', schedule: '*/5 * * * *', source: '/var/spool/cron/crontabs/nobody:1', missed: null, last_run: expect.stringMatching(/^2030-01-07T10:05:0\d/) },
    ]);
    expect(checked.exitCode).toBe(0);
  });

  asRoot("status (reading the host's crontabs): a user's line of the same name does not hide root's missed run", async () => {
    const box = sandbox();
    const root = cronTree(box, { cronD: { backup: ROOT_BACKUP }, users: { nobody: '0 0 30 2 * /usr/bin/cronwrap --name backup -- true\n' } });
    expect((await at('2030-01-07 10:05:02', ['--name', 'backup', '--', 'true'], box)).exitCode).toBe(0);
    const bind = [
      'unshare', '--mount', '--propagation', 'private', 'sh', '-c',
      'mount --bind "$0" /etc/cron.d && mount --bind "$1" /var/spool/cron/crontabs && shift && exec "$@"',
      join(root, 'etc', 'cron.d'), join(root, 'var', 'spool', 'cron', 'crontabs'),
    ];
    const status = await at('2030-01-07 10:11:00', ['status', '--json'], box, { prefix: bind });
    expect(jsonOf(status)).toMatchObject([{ job: 'backup', schedule: '*/5 * * * *', missed: '2030-01-07T10:10:00.000Z' }]);
    expect(status.exitCode).toBe(1);
  });

  it("jobs lists a user's line under that user, without root's runs of the same name", async () => {
    const box = sandbox();
    const root = cronTree(box, { cronD: { backup: ROOT_BACKUP }, users: { nobody: '0 0 30 2 * /usr/bin/cronwrap --name backup -- true\n' } });
    expect((await at('2030-01-07 10:05:02', ['--name', 'backup', '--', 'true'], box)).exitCode).toBe(0);
    const listed = await at('2030-01-07 10:06:00', ['jobs', '--root', root, '--json'], box);
    const rows = (jsonOf(listed) as { jobs: { source: string; user: string; cronwrap: string; last_run: string | null }[] }).jobs;
    expect(rows.map((row) => [row.source, row.user, row.cronwrap, row.last_run?.slice(0, 16) ?? null])).toEqual([
      ['/etc/cron.d/backup:1', 'root', 'backup', '2030-01-07T10:05'],
      ['/var/spool/cron/crontabs/nobody:1', 'nobody', 'backup', null],
    ]);
  });

  it("check tells MISSED through the line's own --mail-to, --webhook and PagerDuty key, the key read from the file its crontab names", async () => {
    const ROUTING_KEY = 'line-routing-key-5f2c0123456789ab';
    const smtp = await startSmtp();
    const hook = await startHttp();
    const pagerDuty = await startHttp(pagerDutyAnswer());
    const box = sandbox();
    const keyFile = join(box.dir, 'pd.secret');
    writeFileSync(keyFile, `${ROUTING_KEY}\n`, { mode: 0o600 });
    const root = cronTree(box, {
      cronD: {
        backup: [
          `CRONWRAP_SMTP_URL=smtp://127.0.0.1:${smtp.port}`,
          `CRONWRAP_PAGERDUTY_URL=${pagerDuty.url}/v2/enqueue`,
          `CRONWRAP_PAGERDUTY_ROUTING_KEY_FILE=${keyFile}`,
          `*/5 * * * * root /usr/bin/cronwrap --name backup --mail-to dba@example.com --webhook ${hook.url}/backup --pagerduty-severity critical -- true`,
          '',
        ].join('\n'),
      },
    });
    const checked = await at('2030-01-07 10:11:00', ['check', '--root', root], box);
    expect(checked.exitCode).toBe(1);
    expect(checked.stdout).toMatch(/^cronwrap: job backup MISSED on .*: did not start at 2030-01-07T10:10/);
    expect(smtp.mails.map((mail) => mail.to)).toEqual([['dba@example.com']]);
    expect(smtp.mails[0]!.raw).toMatch(/^Subject: \[cronwrap\] backup MISSED/m);
    expect(hook.requests.map((request) => [request.url, (JSON.parse(request.body) as { kind: string }).kind])).toEqual([['/backup', 'missed']]);
    expect(pagerDuty.requests.map((request) => JSON.parse(request.body) as { routing_key: string; payload: { severity: string } })).toMatchObject([
      { routing_key: ROUTING_KEY, payload: { severity: 'critical' } },
    ]);
    for (const text of [checked.stdout, checked.stderr, smtp.mails[0]!.raw, hook.requests[0]!.body]) expect(text).not.toContain(ROUTING_KEY);
  });

  it("check tells a STUCK run through its line's own --webhook", async () => {
    const box = sandbox();
    const hook = await startHttp();
    const args = ['--name', 'slow', '--timeout', '1m', '--webhook', `${hook.url}/slow`, '--', 'sleep', '60'];
    // Yearly, and the crontab written now: only the run in progress can be found, as STUCK.
    const root = join(box.dir, 'root');
    mkdirSync(join(root, 'etc', 'cron.d'), { recursive: true });
    writeFileSync(join(root, 'etc', 'cron.d', 'slow'), `0 0 1 1 * root /usr/bin/cronwrap ${args.join(' ')}\n`);
    const stuck = cronwrapProcess(args, box);
    await waitFor(() => existsSync(join(box.stateDir, 'running')) && readdirSync(join(box.stateDir, 'running')).some((name) => name.startsWith('slow.')));
    try {
      const later = await at('+2h', ['check', '--root', root], box);
      expect(later.stdout).toMatch(/^cronwrap: job slow STUCK on /);
      expect(hook.requests.map((request) => [request.url, (JSON.parse(request.body) as { kind: string }).kind])).toEqual([['/slow', 'stuck']]);
    } finally {
      stuck.kill('SIGTERM');
      await stuck;
    }
  });
});

describe("the live view and a user's crontab", () => {
  const serving: Serving[] = [];
  afterEach(async () => {
    for (const server of serving.splice(0)) {
      server.child.kill('SIGTERM');
      await server.child.catch(() => undefined);
    }
  });

  it("lists root's own lines' jobs only, with their own schedule", async () => {
    const box = sandbox();
    const root = cronTree(box, {
      cronD: { backup: ROOT_BACKUP },
      users: { nobody: '0 0 30 2 * /usr/bin/cronwrap --name backup -- true\n* * * * * /usr/bin/cronwrap --name ghost -- true\n' },
    });
    const server = await startServe(box, ['--listen', '127.0.0.1:0', '--root', root]);
    serving.push(server);
    const response = await fetch(`${server.url}/api/jobs`);
    expect(response.status).toBe(200);
    expect(((await response.json()) as { job: string; schedule: string }[]).map((row) => [row.job, row.schedule])).toEqual([['backup', '*/5 * * * *']]);
  });
});
