import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cronwrap, cronwrapAt, hasFaketime, sandbox, waitFor, historyOf } from '../helpers/cronwrap.js';
import { footer, parseLog } from '../helpers/records.js';
import { startServe } from '../helpers/serve.js';
import { startHttp } from '../helpers/servers.js';

describe('cronwrap pause and resume', () => {
  it('skips the runs of a paused job (exit 0, logged, history paused), alerts no one, and resume ends it', async () => {
    const hook = await startHttp();
    const box = sandbox();
    const marker = join(box.dir, 'ran');
    const run = () => cronwrap(['--name', 'backup', '--webhook', hook.url, '-c', `touch ${marker}; exit 1`], box);
    // --force: backup has not run yet (a name this host never saw is refused as a typo without it).
    const paused = await cronwrap(['pause', 'backup', '--for', '2h', '--reason', 'disk swap', '--force'], box);
    expect(paused.exitCode).toBe(0);
    expect(paused.stdout.toString()).toMatch(/^paused backup until \d{4}-.*: its runs are skipped\n$/);

    const skipped = await run();
    expect(skipped.exitCode).toBe(0);
    expect(skipped.stdout.toString()).toBe(''); // nothing for cron to mail
    expect(existsSync(marker)).toBe(false);
    const log = parseLog(box.logOf('backup'));
    expect(log.meta.find((meta) => meta.event === 'skip')?.fields.reason).toMatch(/^paused until .* by \w+: disk swap \(cronwrap resume\)$/);
    expect(footer(log).status).toMatch(/^skipped: paused until/);
    expect(historyOf(box.stateDir, 'backup')).toMatchObject([{ paused: true, lock_skipped: false, exit: 0, attempts: 0 }]);
    expect(hook.requests).toHaveLength(0);
    const status = await cronwrap(['status', '--json'], box);
    expect(JSON.parse(status.stdout.toString())).toMatchObject([{ job: 'backup', last_result: 'paused', paused: expect.stringMatching(/^paused until \d\d:\d\d$/) }]);

    expect((await cronwrap(['resume', 'backup'], box)).stdout.toString()).toBe('resumed backup\n');
    expect((await cronwrap(['resume', 'backup'], box)).stdout.toString()).toBe('backup was not paused\n');
    expect((await run()).exitCode).toBe(1);
    expect(existsSync(marker)).toBe(true);
    await waitFor(() => hook.requests.length === 1);
    expect((JSON.parse(hook.requests[0]!.body) as { kind: string }).kind).toBe('failure');
  });

  it('--silence: the runs go on, keep their exit status, and tell no one (no alert, no ping, no report for cron), and are not healed', async () => {
    const hook = await startHttp();
    const box = sandbox();
    const healed = join(box.dir, 'healed');
    expect((await cronwrap(['pause', 'noisy', '--silence', '--force'], box)).stdout.toString()).toBe('paused noisy until cronwrap resume: its runs go on but alert no one\n');
    const result = await cronwrap(['--name', 'noisy', '--webhook', hook.url, '--ping', `${hook.url}/ping`, '--on-failure', `touch ${healed}`, '-c', 'echo working; exit 3'], box);
    // A heal could undo the maintenance the job is paused for.
    expect(existsSync(healed)).toBe(false);
    expect(footer(parseLog(box.logOf('noisy')))).not.toHaveProperty('heal');
    expect(footer(parseLog(box.logOf('noisy'))).silenced).toMatch(/^paused until resumed by \w+ \(cronwrap resume\)$/);
    expect(result.exitCode).toBe(3);
    expect(result.stdout.toString()).toBe('');
    expect(parseLog(box.logOf('noisy')).records.map((record) => record.text.toString())).toEqual(['working']);
    expect(hook.requests).toHaveLength(0);
    const status = await cronwrap(['status'], box);
    expect(status.stdout.toString()).toMatch(/^noisy .* silenced /m);
  });

  it.skipIf(!hasFaketime)('a pause ends by itself when its --for is over (needs faketime)', async () => {
    const box = sandbox();
    // The clock of each run is set (faketime), not the machine's: a run within the hour, then one after it.
    const at = (time: string, args: string[]) => cronwrapAt(`@2026-11-20 ${time}`, args, box);
    expect((await at('09:00:00', ['pause', 'brief', '--for', '1h', '--force'])).exitCode).toBe(0);
    expect((await at('09:59:00', ['--name', 'brief', '--', 'sh', '-c', 'exit 5'])).exitCode).toBe(0);
    expect((await at('10:01:00', ['--name', 'brief', '--', 'sh', '-c', 'exit 5'])).exitCode).toBe(5);
  });

  it('jobs and the live view show the pause', async () => {
    const box = sandbox();
    const root = join(box.dir, 'root');
    mkdirSync(join(root, 'etc', 'cron.d'), { recursive: true });
    writeFileSync(join(root, 'etc', 'cron.d', 'backup'), '0 2 * * * root /usr/local/bin/cronwrap --name backup -- /usr/local/bin/backup.sh\n');
    expect((await cronwrap(['--name', 'backup', '--', 'true'], box)).exitCode).toBe(0);
    await cronwrap(['pause', 'backup', '--for', '1h'], box);
    const jobs = await cronwrap(['jobs', '--json', '--root', root], box);
    const listed = (JSON.parse(jobs.stdout.toString()) as { jobs: { cronwrap: string | null; flags: string[] }[] }).jobs.find((job) => job.cronwrap === 'backup');
    expect(listed?.flags).toContainEqual(expect.stringMatching(/^paused until \d\d:\d\d \(cronwrap resume backup\)$/));
    const server = await startServe(box, ['--listen', '127.0.0.1:0', '--root', root]);
    try {
      const rows = (await (await fetch(`${server.url}/api/jobs`)).json()) as { job: string; state: string; paused: string | null }[];
      expect(rows).toMatchObject([{ job: 'backup', state: 'paused', paused: expect.stringMatching(/^paused until/) }]);
    } finally {
      server.child.kill('SIGTERM');
      await server.child.catch(() => undefined);
    }
  });

  it('a damaged pause file pauses nothing: the job runs, and the file is moved aside', async () => {
    const box = sandbox();
    mkdirSync(join(box.stateDir, 'pauses'), { recursive: true, mode: 0o700 });
    writeFileSync(join(box.stateDir, 'pauses', 'job.json'), '{"since": "yesterday", "until": null}');
    expect((await cronwrap(['--name', 'job', '--', 'sh', '-c', 'exit 4'], box)).exitCode).toBe(4);
    expect(existsSync(join(box.stateDir, 'pauses', 'job.json'))).toBe(false);
    expect((await cronwrap(['status', '--json'], box)).stdout.toString()).toContain('"paused": null');
  });

  it('a bad job name or --for is refused with the fix', async () => {
    const box = sandbox();
    const name = await cronwrap(['pause', '../etc'], box);
    expect(name.exitCode).toBe(125);
    expect(name.stderr.toString()).toContain("cannot be a job name");
    const time = await cronwrap(['pause', 'x', '--for', 'soon'], box);
    expect(time.exitCode).toBe(125);
    expect(time.stderr.toString()).toContain('--for');
  });
});

// Issue 23, item 5: `pause mysql-bakup` (a typo) answered "paused" and exited 0 while mysql-backup ran in
// the maintenance window. A name this host never saw is refused, with the closest known names and --force.
describe('pause and resume refuse a job this host never saw', () => {
  it('a typo is refused with the name meant and --force; nothing is paused and the real job runs; --force pauses it', async () => {
    const box = sandbox();
    expect((await cronwrap(['--name', 'mysql-backup', '--', 'true'], box)).exitCode).toBe(0);
    const typo = await cronwrap(['pause', 'mysql-bakup', '--for', '2h'], box);
    expect(typo.exitCode).toBe(125);
    expect(typo.stdout.toString()).toBe('');
    expect(typo.stderr.toString()).toMatch(/^cronwrap: pause: no job mysql-bakup is known on this host .*\. Did you mean mysql-backup\? .*give --force: cronwrap pause mysql-bakup --force\n$/);
    expect(existsSync(join(box.stateDir, 'pauses', 'mysql-bakup.json'))).toBe(false);
    const marker = join(box.dir, 'ran');
    expect((await cronwrap(['--name', 'mysql-backup', '-c', `touch ${marker}`], box)).exitCode).toBe(0);
    expect(existsSync(marker)).toBe(true);

    const resume = await cronwrap(['resume', 'mysql-bakup'], box);
    expect(resume.exitCode).toBe(125);
    expect(resume.stderr.toString()).toMatch(/resume: no job mysql-bakup .*Did you mean mysql-backup\?.*cronwrap resume mysql-bakup --force/);

    expect((await cronwrap(['pause', 'mysql-bakup', '--force'], box)).stdout.toString()).toBe('paused mysql-bakup until cronwrap resume: its runs are skipped\n');
    expect((await cronwrap(['resume', 'mysql-bakup'], box)).stdout.toString()).toBe('resumed mysql-bakup\n');
  });

  it('a job known only from a crontab line (named with --name or after its program) or a [jobs.NAME] section may be paused before its first run', async () => {
    const box = sandbox();
    const root = join(box.dir, 'root');
    mkdirSync(join(root, 'etc', 'cron.d'), { recursive: true });
    writeFileSync(join(root, 'etc', 'cron.d', 'db'), [
      '0 2 * * * root /usr/bin/cronwrap --name nightly-dump -- /usr/local/bin/dump.sh',
      "0 3 * * * root /usr/bin/cronwrap -c 'cd /srv && ./export --all'",
      '',
    ].join('\n'));
    writeFileSync(box.env.CRONWRAP_CONFIG!, '[jobs.reindex]\ntimeout = "2h"\n');
    for (const job of ['nightly-dump', 'export', 'reindex']) {
      const paused = await cronwrap(['pause', job, '--root', root], box);
      expect(paused.stderr.toString()).toBe('');
      expect(paused.exitCode).toBe(0);
      expect((await cronwrap(['resume', job, '--root', root], box)).stdout.toString()).toBe(`resumed ${job}\n`);
    }
    // Another user's line naming the typo makes it no job of root's (a user could plant likely typos).
    mkdirSync(join(root, 'var', 'spool', 'cron', 'crontabs'), { recursive: true });
    writeFileSync(join(root, 'var', 'spool', 'cron', 'crontabs', 'mallory'), '0 0 30 2 * /usr/bin/cronwrap --name nightly-dunp -- true\n');
    const typo = await cronwrap(['pause', 'nightly-dunp', '--root', root], box);
    expect(typo.exitCode).toBe(125);
    expect(typo.stderr.toString()).toContain('Did you mean nightly-dump?');
    const far = await cronwrap(['pause', 'payroll', '--root', root], box);
    expect(far.exitCode).toBe(125);
    expect(far.stderr.toString()).toMatch(/no job payroll is known on this host .* cronwrap status lists the jobs that ran here, cronwrap jobs those the crontabs run\. .*--force/);
  });
});
