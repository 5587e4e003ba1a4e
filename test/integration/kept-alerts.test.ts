import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cronwrap, cronwrapAt, cronwrapProcess, hasFaketime, sandbox, waitFor, type Sandbox } from '../helpers/cronwrap.js';
import { signalTaken } from '../helpers/processes.js';
import { pagerDutyAnswer, startHttp } from '../helpers/servers.js';

/** The kept alerts in the sandbox's spool, as `<channel>/<file>`. */
function keptFiles(box: Sandbox): string[] {
  const dir = join(box.stateDir, 'spool');
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((channel) => readdirSync(join(dir, channel)).map((file) => join(channel, file)));
}

const keptAlert = (box: Sandbox, file: string) => JSON.parse(readFileSync(join(box.stateDir, 'spool', file), 'utf8')) as Record<string, unknown>;

/**
 * A stand-in for sendmail that counts its calls (one line each in `<box>/sendmail.calls`), keeps the last
 * message, and exits with `status` (75, EX_TEMPFAIL: a mailer that fails for now).
 */
function fakeSendmail(box: Sandbox, status: number, name = 'sendmail'): { path: string; calls(): number; message(): string } {
  const path = join(box.dir, name);
  const calls = join(box.dir, `${name}.calls`);
  const message = join(box.dir, `${name}.message`);
  writeFileSync(path, `#!/bin/sh\necho "$*" >> ${calls}\ncat > ${message}\nexit ${status}\n`, { mode: 0o755 });
  return {
    path,
    calls: () => (existsSync(calls) ? readFileSync(calls, 'utf8').split('\n').length - 1 : 0),
    message: () => readFileSync(message, 'utf8'),
  };
}

describe('kept alerts back off', () => {
  it.skipIf(!hasFaketime)('a mailer down for a while: each run sends its own alert, kept ones wait their backoff, then go 10 at a time (needs faketime)', async () => {
    const box = sandbox();
    const mailer = fakeSendmail(box, 75);
    const env = { CRONWRAP_SENDMAIL: mailer.path, CRONWRAP_MAIL_TO: 'ops@example.com' };
    await cronwrap(['--name', 'job1', '--', 'false'], box, { env });
    expect(mailer.calls()).toBe(1);
    const [first] = keptFiles(box);
    // Eleven more alerts of earlier failures, kept just now as that one was (a run makes one at a time).
    const spool = join(box.stateDir, 'spool', 'email');
    const stamp = Number(first!.split('/')[1]!.split('-')[0]);
    for (let n = 2; n <= 12; n += 1) {
      const alert = keptAlert(box, first!) as { notice: Record<string, unknown> };
      const id = `seed${n}-failure`;
      writeFileSync(join(spool, `${String(stamp + n).padStart(15, '0')}-${id}-send.json`), JSON.stringify({ ...alert, notice: { ...alert.notice, id, job: `job${n}` } }), { mode: 0o600 });
    }
    // More failing runs, each a first failure that alerts: each calls the mailer once, for its own alert
    // (on main every run re-sent every kept alert: 13 calls at the first of these; 820 in all for 40 runs).
    for (const run of [2, 3]) {
      await cronwrap(['--name', `run${run}`, '--', 'false'], box, { env });
      expect(mailer.calls(), `calls after run ${run}`).toBe(run);
    }
    expect(keptFiles(box)).toHaveLength(14);
    expect(keptAlert(box, first!)).toMatchObject({ retries: 0, nextAt: expect.any(String) });

    // Two minutes on, all are due: one run tries 10 of them (the oldest) besides its own.
    await cronwrapAt('+2m', ['--name', 'later', '--', 'false'], box, { env });
    expect(mailer.calls()).toBe(3 + 10 + 1);
    const retried = keptFiles(box).map((file) => keptAlert(box, file));
    expect(retried.filter((alert) => alert.retries === 1)).toHaveLength(10);
    expect(retried.filter((alert) => alert.retries === 0)).toHaveLength(5); // four not tried yet, and the run's own

    // 80 s later the ten tried wait (2 min now); the four left and the last run's own go, with this run's.
    await cronwrapAt('+200', ['--name', 'later2', '--', 'false'], box, { env });
    expect(mailer.calls()).toBe(14 + 5 + 1);
  }, 60_000);

  it.skipIf(!hasFaketime)('PagerDuty events of one incident stay in order: a resolve waits for its kept trigger\'s backoff, then both go, with the severity the job gave (needs faketime)', async () => {
    const box = sandbox();
    const pd = await startHttp(pagerDutyAnswer({ 0: 'hang' }));
    const env = { CRONWRAP_PAGERDUTY_ROUTING_KEY: 'R0UT1NGKEYR0UT1NGKEYR0UT1NGKEY12', CRONWRAP_PAGERDUTY_URL: `${pd.url}/v2/enqueue` };
    const failing = cronwrapProcess(['--name', 'inc', '--pagerduty-severity', 'critical', '--', 'false'], box, { env });
    await waitFor(() => pd.requests.length > 0);
    failing.kill('SIGTERM'); // stopped while the trigger hangs: it is kept
    await waitFor(() => signalTaken(failing.pid!, 'SIGTERM'));
    failing.kill('SIGTERM');
    expect((await failing).exitCode).toBe(1);
    expect(keptFiles(box)).toHaveLength(1);

    // The job recovers within the minute: its trigger is not due yet, so the resolve is kept behind it, unsent.
    const recovered = await cronwrap(['--name', 'inc', '--pagerduty-severity', 'critical', '--', 'true'], box, { env });
    expect(recovered.stdout.toString()).toMatch(/^ {2}pagerduty incident \S+\/inc: .*waiting for an earlier event of the incident \(kept/m);
    expect(pd.requests).toHaveLength(1);
    expect(keptFiles(box)).toHaveLength(2);

    // Later, another job's run (no flag of the first) sends both, trigger first, as the job's line said.
    await cronwrapAt('+2m', ['--name', 'other', '--', 'true'], box, { env });
    const events = pd.requests.slice(1).map((r) => JSON.parse(r.body) as { event_action: string; payload?: { severity: string } });
    expect(events.map((e) => e.event_action)).toEqual(['trigger', 'resolve']);
    expect(events[0]!.payload!.severity).toBe('critical');
    expect(keptFiles(box)).toEqual([]);
  }, 60_000);

  it('a kept alert whose backoff is not what cronwrap writes is moved aside and said', async () => {
    const box = sandbox();
    const mailer = fakeSendmail(box, 75);
    const env = { CRONWRAP_SENDMAIL: mailer.path, CRONWRAP_MAIL_TO: 'ops@example.com' };
    await cronwrap(['--name', 'first', '--', 'false'], box, { env });
    const [file] = keptFiles(box);
    writeFileSync(join(box.stateDir, 'spool', file!), JSON.stringify({ ...keptAlert(box, file!), retries: -1, nextAt: 'soon' }));
    const result = await cronwrap(['--name', 'second', '--', 'false'], box, { env });
    expect(result.stderr.toString()).toMatch(/not a kept alert for email/);
    expect(readdirSync(join(box.stateDir, 'spool', 'email')).filter((name) => name.includes('.damaged-'))).toHaveLength(1);
  });
});

describe('an undelivered alert says where and why', () => {
  it('cron\'s mail names each channel by what the operator wrote, the reason, and whether it was kept; no URL path', async () => {
    const box = sandbox();
    const mailer = fakeSendmail(box, 75);
    const hook = await startHttp((_request, res) => {
      res.statusCode = 400;
      res.end('no such hook');
    });
    const url = `${hook.url}/services/T0/B0/S3CRETPATH`;
    const result = await cronwrap(['--name', 'told', '--mail-to', 'ops@example.com', '--webhook', url, '--', 'false'], box, { env: { CRONWRAP_SENDMAIL: mailer.path } });
    expect(result.exitCode).toBe(1);
    const lines = result.stdout.toString().split('\n');
    expect(lines[0]).toBe('cronwrap: this alert could not be delivered by 2 channels:');
    expect(lines[1]).toMatch(/^ {2}email to ops@example\.com: .*75.* \(kept: a later run or `cronwrap flush` sends it again\)$/);
    expect(lines[2]).toMatch(/^ {2}webhook http:\/\/127\.0\.0\.1:\d+\/…: .*HTTP 400.* \(not kept: sending it again would not help\)$/);
    expect(result.stdout.toString()).toMatch(/told FAILED on/);
    expect(result.stdout.toString()).not.toContain('S3CRETPATH');
  });
});

describe('flush', () => {
  it('re-sends alerts whose channels were flags on the job\'s line, and names what still waits by its recipients', async () => {
    const box = sandbox();
    const down = fakeSendmail(box, 75, 'sendmail-down');
    // The webhooks hang while the job's run sends (it is stopped: the alerts are kept), then take what comes.
    let answering = false;
    const hook = await startHttp((_request, res) => {
      if (answering) res.end('ok');
    });
    const url = `${hook.url}/hooks/S3CRETPATH`;
    // A second webhook whose URL holds a password: its alert is kept without the URL (the spool holds no password).
    const withPassword = url.replace('http://', 'http://alerts:S3CRETPW@').replace('/hooks/', '/other/');
    const run = cronwrapProcess(['--name', 'flagged', '--mail-to', 'ops@example.com', '--webhook', url, '--webhook', withPassword, '--webhook-format', 'slack', '--', 'false'], box, {
      env: { CRONWRAP_SENDMAIL: down.path },
    });
    await waitFor(() => hook.requests.length > 1);
    run.kill('SIGTERM');
    await waitFor(() => signalTaken(run.pid!, 'SIGTERM')); // else the two could reach it as one
    run.kill('SIGTERM');
    expect((await run).exitCode).toBe(1);
    answering = true;
    const kept = keptFiles(box);
    expect(kept.map((file) => file.split('/')[0]).sort()).toEqual(['email', expect.stringMatching(/^webhook-[0-9a-f]{8}$/), expect.stringMatching(/^webhook-[0-9a-f]{8}$/)]);
    for (const file of kept) expect(readFileSync(join(box.stateDir, 'spool', file), 'utf8')).not.toContain('S3CRETPW');

    // flush with no flag at all: the webhook from the URL its alert carries, the mail to its recipients.
    const first = await cronwrap(['flush'], box, { env: { CRONWRAP_SENDMAIL: down.path } });
    const out = first.stdout.toString();
    expect(out).toMatch(/^webhook http:\/\/127\.0\.0\.1:\d+\/… failure \(job flagged\): sent$/m);
    expect(out).toMatch(/^email to ops@example\.com failure \(job flagged\): still kept: .*75/m);
    expect(out).toMatch(/^1 kept alert for email to ops@example\.com waits: the channel did not take them \(above\)$/m);
    expect(out).toMatch(/^1 kept alert for webhook http:\/\/127\.0\.0\.1:\d+\/… waits: that channel is not configured now: name the webhook with --webhook \(its URL was not kept: it holds a password/m);
    expect(out).not.toMatch(/S3CRETPATH|S3CRETPW/);
    expect(first.exitCode).toBe(1);
    expect(hook.requests).toHaveLength(3);
    expect(hook.requests[2]!.url).toBe('/hooks/S3CRETPATH');
    expect(JSON.parse(hook.requests[2]!.body)).toEqual({ text: expect.stringMatching(/flagged FAILED/) }); // the format the line gave

    const up = fakeSendmail(box, 0, 'sendmail-up');
    const second = await cronwrap(['flush'], box, { env: { CRONWRAP_SENDMAIL: up.path } });
    expect(second.stdout.toString()).toMatch(/^email to ops@example\.com failure \(job flagged\): sent$/m);
    expect(up.message()).toMatch(/^Subject: \[cronwrap\] flagged FAILED/m);
    expect(second.exitCode).toBe(1); // the webhook with a password waits to be named again
    expect(keptFiles(box)).toHaveLength(1);
  });
});
