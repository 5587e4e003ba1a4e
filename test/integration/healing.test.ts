import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cronwrap, historyOf, sandbox, waitFor, type Sandbox } from '../helpers/cronwrap.js';
import { alive, waitForPid } from '../helpers/processes.js';
import { footer, parseLog } from '../helpers/records.js';
import { pagerDutyAnswer, startHttp, startSmtp } from '../helpers/servers.js';

const ROUTING_KEY = 'R0UT1NGKEYR0UT1NGKEYR0UT1NGKEY12';

/** A real SMTP server and a PagerDuty look-alike; the environment that sends a job's alerts to both. */
async function channels() {
  const smtp = await startSmtp();
  const pd = await startHttp(pagerDutyAnswer());
  const env = { CRONWRAP_SMTP_URL: `smtp://127.0.0.1:${smtp.port}`, CRONWRAP_MAIL_TO: 'ops@example.com', CRONWRAP_PAGERDUTY_ROUTING_KEY: ROUTING_KEY, CRONWRAP_PAGERDUTY_URL: `${pd.url}/v2/enqueue` };
  const subjects = () => smtp.mails.map((mail) => /^Subject: (.*)$/m.exec(mail.raw.replace(/\r\n[ \t]+/g, ' '))?.[1] ?? ''); // unfolded
  const events = () => pd.requests.map((r) => JSON.parse(r.body) as { event_action: string; payload?: { severity: string; summary: string; custom_details: Record<string, unknown> } });
  return { smtp, pd, env, subjects, events };
}

const heals = (box: Sandbox) => join(box.stateDir, 'heals', 'web.json');

describe('--on-failure: healing', () => {
  it('a failure the heal fixes is a warning: WARNING mail, a PagerDuty event of severity warning (none with --no-page-warnings), the heal in log, history and status', async () => {
    const { env, subjects, events, smtp } = await channels();
    const box = sandbox();
    const seen = join(box.dir, 'heal-env');
    const heal = `echo "restarting $CRONWRAP_JOB"; echo "$CRONWRAP_JOB $CRONWRAP_EXIT [$CRONWRAP_SIGNAL] $CRONWRAP_LOG $CRONWRAP_RUN" > ${seen}`;
    const run = await cronwrap(['--name', 'web', '--on-failure', heal, '-c', 'echo "502 from upstream"; exit 2'], box, { env });
    expect(run.exitCode).toBe(2); // the command's, whatever the heal did
    expect(run.stdout.toString()).toBe(''); // the channels tell people, not cron's mail
    const log = parseLog(box.logOf('web'));
    const end = footer(log);
    expect(end).toMatchObject({ exit: '2', verdict: 'warning', heal: expect.stringMatching(/^healed: --on-failure exited 0 in \d/) });
    expect(log.meta.find((m) => m.event === 'heal')?.fields).toMatchObject({ after: 'failed with exit status 2', command: heal });
    expect(log.records.filter((r) => r.stream === 'out').map((r) => r.text.toString())).toEqual(['502 from upstream', 'restarting web']);
    expect(readFileSync(seen, 'utf8')).toBe(`web 2 [] ${join(box.logDir, 'web.log')} ${end.run}\n`);
    expect(subjects()).toEqual([expect.stringMatching(/^\[cronwrap\] web WARNING on \S+ \(healed: --on-failure exited 0/)]);
    expect(events()).toMatchObject([{ event_action: 'trigger', payload: { severity: 'warning' } }]);
    expect(historyOf(box.stateDir, 'web')).toMatchObject([{ exit: 2, verdict: 'warning', heal: { ran: true, exit: 0, helped: true, retried: false } }]);
    expect(JSON.parse((await cronwrap(['status', '--json'], box)).stdout.toString())).toMatchObject([{ job: 'web', last_result: 'healed', failing: false }]);

    // A plain success afterwards: RECOVERED, the warning incident resolved, the heal count gone.
    expect(existsSync(heals(box))).toBe(true);
    await cronwrap(['--name', 'web', '--on-failure', heal, '--', 'true'], box, { env });
    expect(subjects()[1]).toMatch(/web RECOVERED/);
    expect(events().map((e) => e.event_action)).toEqual(['trigger', 'resolve']);
    expect(existsSync(heals(box))).toBe(false);

    const quiet = sandbox();
    await cronwrap(['--name', 'web', '--no-page-warnings', '--on-failure', 'true', '-c', 'exit 2'], quiet, { env });
    expect(smtp.mails).toHaveLength(3);
    expect(events()).toHaveLength(2); // nothing more reached PagerDuty
  });

  it("a heal that fails escalates: FAILED mail and a page at the job's severity, with the heal's output", async () => {
    const { env, smtp, events } = await channels();
    const box = sandbox();
    const run = await cronwrap(['--name', 'web', '--on-failure', 'echo "cannot restart: port in use" >&2; exit 5', '-c', 'exit 2'], box, { env });
    expect(run.exitCode).toBe(2);
    expect(footer(parseLog(box.logOf('web')))).toMatchObject({ heal: expect.stringMatching(/^not healed: --on-failure failed with exit status 5 in /) });
    expect(footer(parseLog(box.logOf('web')))).not.toHaveProperty('verdict');
    const mail = smtp.mails[0]!.raw.replace(/=\r?\n/g, ''); // quoted-printable soft line breaks
    expect(mail).toMatch(/^Subject: \[cronwrap\] web FAILED on \S+ \(exit 2\)$/m);
    expect(mail).toContain('err| cannot restart: port in use');
    expect(mail).toMatch(/status: +failed with exit status 2; not healed: --on-failure failed with exit status 5/);
    expect(events()).toMatchObject([{ event_action: 'trigger', payload: { severity: 'error', custom_details: { status: expect.stringContaining('not healed') } } }]);
    expect(JSON.parse((await cronwrap(['status', '--json'], box)).stdout.toString())).toMatchObject([{ job: 'web', last_result: 'heal failed', failing: true }]);
  });

  it('cooldown and budget hold heals back across runs (the failure is escalated), and a success resets them', async () => {
    const box = sandbox();
    const count = join(box.dir, 'heals-run');
    const run = (command: string, more: string[] = []) =>
      cronwrap(['--name', 'web', '--heal-cooldown', '0s', '--heal-budget', '2', ...more, '--on-failure', `echo x >> ${count}`, '-c', command], box);
    const healsRun = () => (existsSync(count) ? readFileSync(count, 'utf8').split('\n').length - 1 : 0);
    const results = async () => historyOf(box.stateDir, 'web').map((r) => `${String(r.verdict)}: ${String((r.heal as { text?: string } | undefined)?.text ?? '')}`);

    await run('exit 1');
    await run('exit 1');
    await run('exit 1');
    expect(healsRun()).toBe(2); // the budget of 2 a day
    expect(await results()).toEqual([
      expect.stringMatching(/^warning: healed: --on-failure exited 0/),
      // The first heal did not stop the job failing: exit 0 or not, this one is not trusted.
      expect.stringMatching(/^failed: not healed: --on-failure exited 0 in \S+; the job failed again after an earlier heal$/),
      'failed: not healed: 2 heals in the last 24 hours used the --heal-budget of 2',
    ]);
    await run('true');
    expect(existsSync(heals(box))).toBe(false);
    await run('exit 1');
    expect(healsRun()).toBe(3);
    expect((await results()).at(-1)).toMatch(/^warning: healed/);

    // --heal-cooldown: no second heal within it.
    await run('exit 1', ['--heal-cooldown', '1h']);
    expect(healsRun()).toBe(3);
    expect((await results()).at(-1)).toMatch(/^failed: not healed: the last heal was \S+ ago, within --heal-cooldown of 1h00m$/);
  });

  it('--heal-retry runs the job once more after the heal: its success makes a warning (exit 0), its failure escalates', async () => {
    const hook = await startHttp();
    const box = sandbox();
    const fixed = join(box.dir, 'fixed');
    const job = `test -e ${fixed} && echo "works now" && exit 0; echo broken; exit 3`;
    const healed = await cronwrap(['--name', 'web', '--webhook', hook.url, '--heal-retry', '--on-failure', `touch ${fixed}`, '-c', job], box);
    expect(healed.exitCode).toBe(0); // the re-run's
    const log = parseLog(box.logOf('web'));
    expect(footer(log)).toMatchObject({ exit: '0', attempts: '2', verdict: 'warning', heal: expect.stringMatching(/^healed: --on-failure exited 0 in \S+; the re-run succeeded$/) });
    expect(log.meta.map((m) => m.event)).toEqual(['start', 'heal', 'retry', 'end']);
    expect(log.records.filter((r) => r.stream === 'out').map((r) => r.text.toString())).toEqual(['broken', 'works now']);
    await waitFor(() => hook.requests.length === 1);
    expect(JSON.parse(hook.requests[0]!.body)).toMatchObject({ kind: 'warning' });

    const box2 = sandbox();
    const still = await cronwrap(['--name', 'web', '--webhook', hook.url, '--heal-retry', '--on-failure', 'true', '-c', 'exit 4'], box2);
    expect(still.exitCode).toBe(4);
    expect(footer(parseLog(box2.logOf('web')))).toMatchObject({ attempts: '2', heal: expect.stringMatching(/^not healed: --on-failure exited 0 in \S+; the re-run failed with exit status 4$/) });
    await waitFor(() => hook.requests.length === 2);
    expect(JSON.parse(hook.requests[1]!.body)).toMatchObject({ kind: 'failure' });
  });

  it("--heal-retry (examples/crontab): a re-run the heal made succeed resets neither budget nor cooldown; the heal held back is FAILED, mailed, and status counts the healed runs in the streak", async () => {
    const { env, subjects } = await channels();
    const box = sandbox();
    // A service that crashes again after every restart: the job works once after each heal.
    const up = join(box.dir, 'up');
    const count = join(box.dir, 'heals-run');
    const job = `if test -e ${up}; then rm ${up}; echo works; exit 0; fi; echo crashed; exit 3`;
    const run = (more: string[] = []) => cronwrap(['--name', 'web', '--heal-retry', '--heal-budget', '2', ...more, '--on-failure', `echo x >> ${count}; touch ${up}`, '-c', job], box, { env });
    const healsRun = () => (existsSync(count) ? readFileSync(count, 'utf8').split('\n').length - 1 : 0);
    const status = async () => (JSON.parse((await cronwrap(['status', '--json'], box)).stdout.toString()) as Record<string, unknown>[])[0];

    for (let i = 0; i < 5; i++) await run(['--heal-cooldown', '0s']);
    expect(healsRun()).toBe(2);
    expect(historyOf(box.stateDir, 'web').map((r) => `${String(r.exit)} ${String(r.verdict)}: ${String((r.heal as { text: string }).text)}`)).toEqual([
      expect.stringMatching(/^0 warning: healed: --on-failure exited 0 in \S+; the re-run succeeded$/),
      expect.stringMatching(/^0 warning: healed: --on-failure exited 0 in \S+; the re-run succeeded$/),
      '3 failed: not healed: 2 heals in the last 24 hours used the --heal-budget of 2',
      '3 failed: not healed: 2 heals in the last 24 hours used the --heal-budget of 2',
      '3 failed: not healed: 2 heals in the last 24 hours used the --heal-budget of 2',
    ]);
    // One warning for the streak of healed runs, then the failure once the budget held the heal back.
    expect(subjects()).toEqual([expect.stringMatching(/^\[cronwrap\] web WARNING on \S+ \(healed: --on-failure exited 0 in \S+; the re-run succeeded\)$/), expect.stringMatching(/^\[cronwrap\] web FAILED on \S+ \(exit 3, 3 failures in a row\)$/)]);
    expect(await status()).toMatchObject({ last_result: 'not healed', failing: true, consecutive_failures: 5, last_success: null });

    // Only a run that succeeds by itself ends it all: RECOVERED, the heal count gone, the streak over.
    writeFileSync(up, '');
    await run(['--heal-cooldown', '0s']);
    expect(subjects().at(-1)).toMatch(/web RECOVERED/);
    expect(existsSync(heals(box))).toBe(false);

    // With the default hourly cooldown, already the second failure is held back and told.
    await run();
    await run();
    expect(healsRun()).toBe(3);
    expect(subjects().slice(-2)).toEqual([expect.stringMatching(/web WARNING on /), expect.stringMatching(/web FAILED on \S+ \(exit 3, 2 failures in a row\)$/)]);
    expect(String((historyOf(box.stateDir, 'web').at(-1)!.heal as { text: string }).text)).toMatch(/^not healed: the last heal was \S+ ago, within --heal-cooldown of 1h00m$/);
  });

  it('--heal-timeout stops the whole heal process group; the failure is escalated', async () => {
    const box = sandbox();
    const pidFile = join(box.dir, 'grandchild');
    const started = Date.now();
    // A second for the heal to start its grandchild and say its pid (a few milliseconds), then the timeout.
    const run = await cronwrap(['--name', 'web', '--heal-timeout', '1s', '--kill-after', '1s', '--on-failure', `sleep 60 & echo $! > ${pidFile}; wait`, '-c', 'exit 1'], box);
    expect(run.exitCode).toBe(1);
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(alive(await waitForPid(pidFile))).toBe(false);
    expect(footer(parseLog(box.logOf('web'))).heal).toMatch(/^not healed: --on-failure timed out after 1\.000s/);
    expect(run.stdout.toString()).toMatch(/^cronwrap: job web FAILED on /); // no channel: the report for cron's mail
  });
});

describe('--ok-exit and --warn-exit', () => {
  it("--warn-exit: a warning (WARNING mail, PagerDuty severity warning, counted apart in metrics); --ok-exit: a success; the exit status stays the command's", async () => {
    const { env, subjects, events } = await channels();
    const box = sandbox();
    const metrics = join(box.dir, 'metrics');
    const warned = await cronwrap(['--name', 'restic', '--warn-exit', '3', '--metrics-dir', metrics, '-c', 'echo "some files unreadable"; exit 3'], box, { env });
    expect(warned.exitCode).toBe(3);
    expect(subjects()).toEqual([expect.stringMatching(/^\[cronwrap\] restic WARNING on \S+ \(exited with status 3 \(a warning by --warn-exit\)\)$/)]);
    expect(events()).toMatchObject([{ event_action: 'trigger', payload: { severity: 'warning' } }]);
    const prom = readFileSync(join(metrics, 'cronwrap_restic.prom'), 'utf8');
    expect(prom).toContain('cronwrap_last_exit_code{cron_job="restic"} 3\n');
    expect(prom).toContain('cronwrap_last_run_failed{cron_job="restic"} 0\n');
    expect(prom).toContain('cronwrap_warnings_total{cron_job="restic"} 1\n');
    expect(prom).toContain('cronwrap_failures_total{cron_job="restic"} 0\n');
    expect(JSON.parse((await cronwrap(['status', '--json'], box)).stdout.toString())).toMatchObject([{ job: 'restic', last_result: 'exit 3, warning', failing: false }]);

    // grep's 1 (nothing found) is fine: no alert, no report for cron, not failing.
    const ok = await cronwrap(['--name', 'grep', '--ok-exit', '1', '--metrics-dir', metrics, '--', 'grep', '-q', 'absent', '/dev/null'], box);
    expect(ok.exitCode).toBe(1);
    expect(ok.stdout.toString()).toBe('');
    expect(footer(parseLog(box.logOf('grep')))).toMatchObject({ exit: '1', verdict: 'ok', status: 'exited with status 1 (a success by --ok-exit)' });
    expect(readFileSync(join(metrics, 'cronwrap_grep.prom'), 'utf8')).toContain('cronwrap_last_run_failed{cron_job="grep"} 0\n');
    // Without the rule, the same exit is a failure, reported for cron's mail.
    const plain = await cronwrap(['--name', 'grep', '--', 'grep', '-q', 'absent', '/dev/null'], box);
    expect(plain.stdout.toString()).toMatch(/^cronwrap: job grep FAILED/);
  });
});
