import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cronwrap, cronwrapAt, hasFaketime, sandbox, waitFor, type Sandbox } from '../helpers/cronwrap.js';
import { footer, parseLog } from '../helpers/records.js';
import { freePort, pagerDutyAnswer, selfSignedCertificate, startHttp, startSilentServer, startSmtp } from '../helpers/servers.js';

const ROUTING_KEY = 'R0UT1NGKEYR0UT1NGKEYR0UT1NGKEY12'; // 32 characters, like a real integration key
const PASSWORD = 'hunter2-very-secret';

const historyOf = (box: Sandbox, job: string) =>
  readFileSync(join(box.stateDir, 'history', `${job}.jsonl`), 'utf8')
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, any>);

const keptFiles = (box: Sandbox) => {
  const dir = join(box.stateDir, 'spool');
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((channel) => readdirSync(join(dir, channel)).map((f) => join(channel, f)));
};

/** A mail's header block and body, as received. */
function split(raw: string): { headers: string; body: string } {
  const at = raw.indexOf('\r\n\r\n');
  return { headers: raw.slice(0, at), body: raw.slice(at + 4) };
}

describe('email', () => {
  it('mails a failure: envelope, subject, body with the output tail, Auto-Submitted; stdout stays silent', async () => {
    const smtp = await startSmtp();
    const box = sandbox();
    const result = await cronwrap(['--name', 'backup', '--mail-to', 'ops@example.com', '-c', 'for i in $(seq 1 50); do echo "line $i"; done; exit 2'], box, {
      env: { CRONWRAP_SMTP_URL: `smtp://127.0.0.1:${smtp.port}`, CRONWRAP_MAIL_FROM: 'cron@example.com' },
    });
    expect(result.exitCode).toBe(2);
    expect(result.stdout.toString()).toBe('');
    expect(smtp.mails).toHaveLength(1);
    const [mail] = smtp.mails;
    expect(mail!.from).toBe('cron@example.com');
    expect(mail!.to).toEqual(['ops@example.com']);
    const { headers, body } = split(mail!.raw);
    expect(headers).toMatch(/^Subject: \[cronwrap\] backup FAILED on \S+ \(exit 2\)$/m);
    expect(headers).toMatch(/^Auto-Submitted: auto-generated$/m);
    expect(body).toMatch(/status: +failed with exit status 2 \(exit 2\)/);
    expect(body).toContain('showing first 20 and last 20 of 50 lines of output:');
    expect(body).toMatch(/out\| line 1\r?\n/);
    expect(body).toMatch(/out\| line 50\r?\n/);
    expect(body).not.toMatch(/out\| line 25\r?\n/);
    expect(body).toContain(`log:      ${join(box.logDir, 'backup.log')}`);
    expect(footer(parseLog(box.logOf('backup'))).notifications).toBe('email failure: ok');
    expect(historyOf(box, 'backup')[0]!.notifications).toEqual([expect.objectContaining({ channel: 'email', kind: 'failure', ok: true, attempts: 1 })]);
  });

  it('MAILTO stays cron\'s: cronwrap mails no one for it and prints the report of every failed run for cron to mail', async () => {
    const smtp = await startSmtp();
    const box = sandbox();
    const env = { MAILTO: 'root@example.com', CRONWRAP_SMTP_URL: `smtp://127.0.0.1:${smtp.port}` };
    for (const run of [1, 2]) {
      const result = await cronwrap(['--name', 'm', '-c', 'exit 1'], box, { env });
      expect(result.stdout.toString(), `run ${run}`).toMatch(/^cronwrap: job m FAILED on /);
    }
    expect(smtp.mails).toHaveLength(0);
  });

  it('output cannot inject headers or recipients', async () => {
    const smtp = await startSmtp();
    const box = sandbox();
    const evil = 'printf "Subject: pwned\\r\\nBcc: victim@evil.example\\r\\n\\r\\nhi\\n"; exit 1';
    await cronwrap(['--name', 'inject', '--mail-to', 'ops@example.com', '-c', evil], box, { env: { CRONWRAP_SMTP_URL: `smtp://127.0.0.1:${smtp.port}` } });
    expect(smtp.mails).toHaveLength(1);
    expect(smtp.mails[0]!.to).toEqual(['ops@example.com']);
    const { headers } = split(smtp.mails[0]!.raw);
    expect(headers).not.toMatch(/^Bcc:/im);
    expect(headers.match(/^Subject:/gm)).toHaveLength(1);
  });

  it('logs in over TLS with the password from a file, and the password appears nowhere', async () => {
    const { key, cert, certFile } = selfSignedCertificate();
    const smtp = await startSmtp({ secure: true, key, cert, users: { alerts: PASSWORD } });
    const box = sandbox();
    const secretFile = join(box.dir, 'smtp.secret');
    writeFileSync(secretFile, `${PASSWORD}\n`, { mode: 0o600 });
    const result = await cronwrap(['--name', 'auth', '--mail-to', 'ops@example.com', '-c', 'echo failing; exit 1'], box, {
      // The test's own CA, trusted the way an operator would trust a private CA.
      env: { CRONWRAP_SMTP_URL: `smtps://alerts@127.0.0.1:${smtp.port}`, CRONWRAP_SMTP_PASSWORD_FILE: secretFile, NODE_EXTRA_CA_CERTS: certFile },
    });
    expect(result.exitCode).toBe(1);
    expect(smtp.mails).toHaveLength(1);
    expect(smtp.mails[0]!.user).toBe('alerts');
    for (const text of [result.stdout.toString(), result.stderr.toString(), box.logOf('auth').toString(), readFileSync(join(box.stateDir, 'history', 'auth.jsonl'), 'utf8'), smtp.mails[0]!.raw]) {
      expect(text).not.toContain(PASSWORD);
    }
  });

  it('refuses a server whose TLS certificate is not trusted; the alert is kept and printed', async () => {
    const { key, cert } = selfSignedCertificate();
    const smtp = await startSmtp({ secure: true, key, cert });
    const box = sandbox();
    const result = await cronwrap(['--name', 'untrusted', '--mail-to', 'ops@example.com', '-c', 'exit 3'], box, {
      env: { CRONWRAP_SMTP_URL: `smtps://127.0.0.1:${smtp.port}` },
    });
    expect(result.exitCode).toBe(3);
    expect(smtp.mails).toHaveLength(0);
    await waitFor(() => smtp.errors.length > 0); // the server hears of the hang-up in its own time
    expect(smtp.errors.map((e) => e.message)).toEqual([expect.stringMatching(/TLS/)]); // the client hung up in the handshake
    expect(footer(parseLog(box.logOf('untrusted'))).notifications).toMatch(/email failure: email: .*(certificate|self-signed).*\(kept\)/i);
    expect(keptFiles(box)).toHaveLength(1);
    expect(result.stdout.toString()).toMatch(/could not be delivered by one channel:\n {2}email to ops@example\.com: .*(certificate|self-signed).*\(kept: [^\n]*\n\n[\s\S]*untrusted FAILED/i);
  });

  it('never sends the password over plaintext: smtp:// without STARTTLS gives up before AUTH', async () => {
    const smtp = await startSmtp({ disabledCommands: ['STARTTLS'], users: { alerts: PASSWORD } });
    const box = sandbox();
    const result = await cronwrap(['--name', 'plain', '--mail-to', 'ops@example.com', '-c', 'exit 1'], box, {
      env: { CRONWRAP_SMTP_URL: `smtp://alerts@127.0.0.1:${smtp.port}`, CRONWRAP_SMTP_PASSWORD: PASSWORD },
    });
    expect(result.exitCode).toBe(1);
    expect(smtp.authAttempts).toEqual([]);
    expect(smtp.mails).toHaveLength(0);
  });

  it.skipIf(!hasFaketime)('a closed port: bounded time, alert kept and re-sent by the next run of any job after its backoff (needs faketime)', async () => {
    const box = sandbox();
    const port = await freePort();
    const started = Date.now();
    const first = await cronwrap(['--name', 'nightly', '--mail-to', 'ops@example.com', '-c', 'exit 4'], box, { env: { CRONWRAP_SMTP_URL: `smtp://127.0.0.1:${port}` } });
    expect(first.exitCode).toBe(4);
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(keptFiles(box)).toHaveLength(1);
    expect(first.stdout.toString()).toContain('nightly FAILED');

    const smtp = await startSmtp();
    // A kept alert waits a minute before its first re-send.
    const other = await cronwrapAt('+2m', ['--name', 'other', '--mail-to', 'ops@example.com', '--', 'true'], box, { env: { CRONWRAP_SMTP_URL: `smtp://127.0.0.1:${smtp.port}` } });
    expect(other.exitCode).toBe(0);
    expect(smtp.mails).toHaveLength(1);
    expect(split(smtp.mails[0]!.raw).headers).toMatch(/^Subject: \[cronwrap\] nightly FAILED/m);
    expect(keptFiles(box)).toEqual([]);
    expect(footer(parseLog(box.logOf('other'))).notifications).toBe('email failure resent: ok');
  });

  it.skipIf(!hasFaketime)('a server that never greets: given up within the greeting deadline, alert kept (needs faketime)', async () => {
    const box = sandbox();
    const port = await startSilentServer();
    const started = Date.now();
    // cronwrap's clocks (timers too) run ten times as fast: its 10 s greeting deadline passes in about 1 s.
    const result = await cronwrapAt('+0 x10', ['--name', 'mute', '--mail-to', 'ops@example.com', '-c', 'exit 1'], box, {
      env: { CRONWRAP_SMTP_URL: `smtp://127.0.0.1:${port}`, FAKETIME_DONT_FAKE_MONOTONIC: '0' },
    });
    const elapsed = (Date.now() - started) * 10;
    expect(result.exitCode).toBe(1);
    expect(elapsed).toBeGreaterThanOrEqual(9_000);
    expect(elapsed).toBeLessThan(50_000);
    expect(footer(parseLog(box.logOf('mute'))).notifications).toMatch(/^email failure: email: the SMTP server did not answer in time.*\(kept\)$/);
    expect(keptFiles(box)).toHaveLength(1);
  }, 40_000);
});

describe('PagerDuty Events API v2', () => {
  const pdEnv = (url: string) => ({ CRONWRAP_PAGERDUTY_ROUTING_KEY: ROUTING_KEY, CRONWRAP_PAGERDUTY_URL: `${url}/v2/enqueue` });

  it('triggers on failure and resolves on recovery with one dedup key', async () => {
    const pd = await startHttp(pagerDutyAnswer());
    const box = sandbox();
    expect((await cronwrap(['--name', 'db', '-c', 'echo broken; exit 2'], box, { env: pdEnv(pd.url) })).exitCode).toBe(2);
    expect((await cronwrap(['--name', 'db', '-c', 'exit 3'], box, { env: pdEnv(pd.url) })).exitCode).toBe(3);
    expect((await cronwrap(['--name', 'db', '--', 'true'], box, { env: pdEnv(pd.url) })).exitCode).toBe(0);
    const events = pd.requests.map((r) => JSON.parse(r.body) as Record<string, any>);
    expect(events.map((e) => e.event_action)).toEqual(['trigger', 'resolve']);
    expect(new Set(events.map((e) => e.dedup_key))).toEqual(new Set([expect.stringMatching(/^cronwrap\/\S+\/db$/)]));
    expect(events[0]!.payload).toMatchObject({ severity: 'error', source: expect.any(String), summary: expect.stringMatching(/^db FAILED on \S+ \(exit 2\)$/) });
    expect(events[0]!.payload.custom_details).toMatchObject({ exit: 2, signal: null, command: ['/bin/sh', '-c', 'echo broken; exit 2'], log: join(box.logDir, 'db.log') });
    expect(events[0]!.payload.custom_details.output_tail.join('\n')).toContain('out| broken');
    expect(pd.requests.every((r) => r.url === '/v2/enqueue')).toBe(true);
  });

  it('a dedup key template lets a fleet share one incident', async () => {
    const pd = await startHttp(pagerDutyAnswer());
    const box = sandbox();
    await cronwrap(['--name', 'fleet', '--pagerduty-dedup-key', 'cronwrap/{job}', '--pagerduty-severity', 'critical', '-c', 'exit 1'], box, { env: pdEnv(pd.url) });
    expect(JSON.parse(pd.requests[0]!.body)).toMatchObject({ dedup_key: 'cronwrap/fleet', payload: { severity: 'critical' } });
  });

  it('does not retry an event the API calls invalid (400), and does not keep it', async () => {
    const pd = await startHttp(pagerDutyAnswer());
    const box = sandbox();
    const result = await cronwrap(['--name', 'bad', '-c', 'exit 1'], box, { env: { ...pdEnv(pd.url), CRONWRAP_PAGERDUTY_ROUTING_KEY: 'too-short' } });
    expect(result.exitCode).toBe(1);
    expect(pd.requests).toHaveLength(1);
    expect(footer(parseLog(box.logOf('bad'))).notifications).toMatch(/pagerduty failure \(trigger\): pagerduty trigger: HTTP 400: .*routing_key/);
    expect(keptFiles(box)).toEqual([]);
  });

  it('retries after 429 and 500', async () => {
    const pd = await startHttp(pagerDutyAnswer({ 0: 429, 1: 500 }));
    const box = sandbox();
    await cronwrap(['--name', 'flaky', '-c', 'exit 1'], box, { env: pdEnv(pd.url) });
    expect(pd.requests).toHaveLength(3);
    expect(footer(parseLog(box.logOf('flaky'))).notifications).toBe('pagerduty failure (trigger): ok');
    expect(historyOf(box, 'flaky')[0]!.notifications[0]).toMatchObject({ ok: true, attempts: 3 });
  });

  it.skipIf(!hasFaketime)('a server that hangs: the request is given up after 10 s and retried (needs faketime)', async () => {
    const pd = await startHttp(pagerDutyAnswer({ 0: 'hang' }));
    const box = sandbox();
    const started = Date.now();
    // cronwrap's clocks (timers too) run ten times as fast: its 10 s request timeout passes in about 1 s.
    await cronwrapAt('+0 x10', ['--name', 'hang', '-c', 'exit 1'], box, { env: { ...pdEnv(pd.url), FAKETIME_DONT_FAKE_MONOTONIC: '0' } });
    const elapsed = (Date.now() - started) * 10;
    expect(elapsed).toBeGreaterThanOrEqual(10_000);
    expect(elapsed).toBeLessThan(50_000);
    expect(pd.requests).toHaveLength(2);
    expect(footer(parseLog(box.logOf('hang'))).notifications).toBe('pagerduty failure (trigger): ok');
  }, 40_000);
});

describe('webhooks', () => {
  it('POST a JSON run report, and a Slack-compatible message with --webhook-format slack', async () => {
    const hook = await startHttp();
    const box = sandbox();
    await cronwrap(['--name', 'hooked', '--webhook', `${hook.url}/a`, '--webhook', `${hook.url}/b?token=abc`, '-c', 'echo tail-line; exit 5'], box);
    expect(hook.requests.map((r) => r.url).sort()).toEqual(['/a', '/b?token=abc']);
    const report = JSON.parse(hook.requests[0]!.body) as Record<string, any>;
    expect(report).toMatchObject({ source: 'cronwrap', kind: 'failure', job: 'hooked', exit: 5, status: 'failed with exit status 5', log: join(box.logDir, 'hooked.log') });
    expect(report.output.tail.join('\n')).toContain('out| tail-line');
    // The URL's token stays out of the log.
    expect(box.logOf('hooked').toString()).not.toContain('token=abc');

    const slack = await startHttp();
    await cronwrap(['--name', 'slacky', '--webhook', slack.url, '--webhook-format', 'slack', '-c', 'echo boom; exit 1'], box);
    const message = JSON.parse(slack.requests[0]!.body) as Record<string, unknown>;
    expect(Object.keys(message)).toEqual(['text']);
    expect(message.text).toMatch(/^\[cronwrap\] slacky FAILED on \S+ \(exit 1\)\n[\s\S]*out\| boom/);
  });
});

describe('health-check pings', () => {
  it('start, then success with the output tail, under one run id', async () => {
    const hc = await startHttp();
    const box = sandbox();
    await cronwrap(['--name', 'purge', '--ping', `${hc.url}/ping/abc-123`, '--', 'echo', 'purged 3 files'], box);
    expect(hc.requests.map((r) => new URL(r.url, hc.url).pathname)).toEqual(['/ping/abc-123/start', '/ping/abc-123']);
    const rids = hc.requests.map((r) => new URL(r.url, hc.url).searchParams.get('rid'));
    expect(rids[0]).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(rids[1]).toBe(rids[0]);
    expect(hc.requests[1]!.body).toContain('out| purged 3 files');
  });

  it('start, then the exit status with the log\'s tail, on every failing run whatever the policy', async () => {
    const hc = await startHttp();
    const box = sandbox();
    for (let i = 0; i < 2; i++) {
      await cronwrap(['--name', 'pf', '--alert-after', '5', '--ping', `${hc.url}/p/`, '-c', 'for i in $(seq 1 30); do printf "%0500d\\n" $i; done; exit 7'], box);
    }
    expect(hc.requests.map((r) => new URL(r.url, hc.url).pathname)).toEqual(['/p/start', '/p/7', '/p/start', '/p/7']);
    expect(hc.requests[1]!.body.split('\n').filter((line) => line.includes('out| '))).toHaveLength(30);
    expect(hc.requests[1]!.body).toMatch(/0030\ncronwrap: failed with exit status 7 \(cronwrap exits 7\)\n$/);
  });
});

describe('policy', () => {
  it('5 failures in a row with --alert-after 3: one alert; then recovery: one notice', async () => {
    const hook = await startHttp();
    const box = sandbox();
    for (let i = 0; i < 5; i++) await cronwrap(['--name', 'p', '--alert-after', '3', '--webhook', hook.url, '-c', 'exit 1'], box);
    await cronwrap(['--name', 'p', '--alert-after', '3', '--webhook', hook.url, '--', 'true'], box);
    await cronwrap(['--name', 'p', '--alert-after', '3', '--webhook', hook.url, '--', 'true'], box);
    const kinds = hook.requests.map((r) => (JSON.parse(r.body) as { kind: string; consecutive_failures: number }));
    expect(kinds.map((k) => k.kind)).toEqual(['failure', 'recovery']);
    expect(kinds[0]!.consecutive_failures).toBe(3);
  });

  it('alert_after = "2/4" in the config file: a flapping job alerts once, stays quiet while over the rate, recovers once under it', async () => {
    const hook = await startHttp();
    const box = sandbox();
    writeFileSync(box.env.CRONWRAP_CONFIG!, `[jobs.flaky]\nalert_after = "2/4"\nwebhooks = ["${hook.url}"]\n`);
    const outcomes = ['exit 1', 'true', 'exit 1', 'true', 'true', 'exit 1'];
    const sent: number[] = [];
    for (const command of outcomes) {
      const result = await cronwrap(['--name', 'flaky', '-c', command], box);
      expect(result.exitCode).toBe(command === 'true' ? 0 : 1);
      sent.push(hook.requests.length);
    }
    const kinds = hook.requests.map((r) => (JSON.parse(r.body) as { kind: string }).kind);
    // F o F: 2 of 4, alert; o: still 2 of the last 4, quiet; o: 1 of 4, recovered; F: the last 4 are F o o F, alert.
    expect(kinds).toEqual(['failure', 'recovery', 'failure']);
    expect(sent).toEqual([0, 0, 1, 1, 2, 3]);
    const bad = await cronwrap(['--name', 'flaky', '--alert-after', '5/3', '--', 'true'], box);
    expect(bad.exitCode).toBe(125);
    expect(bad.stderr.toString()).toContain("--alert-after: '5/3' is not N (failures in a row) or N/M (N of the last M runs, M from N to 1000)");
  });

  it.skipIf(!hasFaketime)('--remind repeats at most once per duration while the job keeps failing (needs faketime)', async () => {
    const hook = await startHttp();
    const box = sandbox();
    // Each run's clock is set (faketime), not the machine's: two runs within the hour, two more two hours on.
    const run = (at: string) => cronwrapAt(`@2026-11-20 ${at}`, ['--name', 'r', '--remind', '1h', '--webhook', hook.url, '-c', 'exit 1'], box);
    const kinds = () => hook.requests.map((r) => (JSON.parse(r.body) as { kind: string }).kind);
    for (const [at, told] of [['09:00:00', ['failure']], ['09:30:00', ['failure']], ['11:00:00', ['failure', 'reminder']], ['11:30:00', ['failure', 'reminder']]] as const) {
      expect((await run(at)).exitCode).toBe(1);
      expect(kinds(), `the run at ${at}`).toEqual(told);
    }
  });

  it('--notify-success sends a notice for a good run', async () => {
    const hook = await startHttp();
    const box = sandbox();
    await cronwrap(['--name', 's', '--notify-success', '--webhook', hook.url, '--', 'true'], box);
    expect(JSON.parse(hook.requests[0]!.body)).toMatchObject({ kind: 'success', exit: 0 });
  });
});

describe('delivery', () => {
  it.skipIf(!hasFaketime)('every channel down: the job\'s exit status stands, each alert is kept, and a dead pager does not hold back mail (needs faketime)', async () => {
    const box = sandbox();
    const dead = await freePort();
    const env = { CRONWRAP_SMTP_URL: `smtp://127.0.0.1:${dead}`, CRONWRAP_PAGERDUTY_ROUTING_KEY: ROUTING_KEY, CRONWRAP_PAGERDUTY_URL: `http://127.0.0.1:${dead}/v2/enqueue` };
    // Ten times as fast: the retries' backoff (1, 2, 4 s) passes in under a second.
    const result = await cronwrapAt('+0 x10', ['--name', 'down', '--mail-to', 'ops@example.com', '-c', 'exit 9'], box, { env: { ...env, FAKETIME_DONT_FAKE_MONOTONIC: '0' } });
    expect(result.exitCode).toBe(9);
    expect(keptFiles(box).map((f) => f.split('/')[0]).sort()).toEqual(['email', 'pagerduty']);
    // Mail comes back; the pager stays dead: the kept mail goes out anyway.
    const smtp = await startSmtp();
    const flush = await cronwrap(['flush', '--mail-to', 'ops@example.com'], box, { env: { ...env, CRONWRAP_SMTP_URL: `smtp://127.0.0.1:${smtp.port}` } });
    expect(smtp.mails).toHaveLength(1);
    expect(flush.exitCode).toBe(1);
    expect(flush.stdout.toString()).toMatch(/^email to ops@example\.com failure \(job down\): sent$/m);
    expect(flush.stdout.toString()).toMatch(/^pagerduty incident cronwrap\/\S+\/down failure \(trigger\) \(job down\): still kept: .*connection refused/m);
    expect(keptFiles(box).map((f) => f.split('/')[0])).toEqual(['pagerduty']);
  });

  it.skipIf(!hasFaketime)('a webhook that keeps asking to wait and a Pushgateway that hangs: everything the run sends ends within the minute after the job (needs faketime)', async () => {
    // The webhook's four attempts, 19 s apart as asked, take the alerts' whole minute; the Pushgateway never answers.
    const hang = await startHttp((request, res) => {
      if (request.url.startsWith('/hook')) res.writeHead(503, { 'retry-after': '19' }).end('busy');
    });
    const box = sandbox();
    const started = Date.now();
    // Ten times as fast: a minute of cronwrap's time is about 6 s.
    const result = await cronwrapAt('+0 x10', ['--name', 'stuck', '--webhook', `${hang.url}/hook`, '--metrics-push', `${hang.url}/push`, '-c', 'exit 3'], box, {
      env: { FAKETIME_DONT_FAKE_MONOTONIC: '0' },
    });
    const elapsed = (Date.now() - started) * 10;
    expect(result.exitCode).toBe(3);
    expect(hang.requests.map((r) => r.method).sort()).toEqual(expect.arrayContaining(['POST', 'PUT']));
    // The alerts' minute, then the push's 20 s after it, was 77 s and more; start-up under load is the slack.
    expect(elapsed).toBeGreaterThanOrEqual(55_000);
    expect(elapsed).toBeLessThan(72_000);
    expect(result.stderr.toString()).toMatch(/cannot push metrics: pushgateway: no answer within /);
    expect(keptFiles(box).map((f) => f.split('/')[0])).toEqual([expect.stringMatching(/^webhook-/)]);
  }, 40_000);

  it('secrets never appear in logs, history, kept alerts, stdout, stderr, mails or webhook bodies, nor reach the job', async () => {
    const hook = await startHttp();
    const pd = await startHttp(pagerDutyAnswer());
    const box = sandbox();
    const dead = await freePort();
    const result = await cronwrap(['--name', 'sec', '--mail-to', 'ops@example.com', '--webhook', hook.url, '-c', 'env; exit 1'], box, {
      env: {
        CRONWRAP_PAGERDUTY_ROUTING_KEY: ROUTING_KEY,
        CRONWRAP_PAGERDUTY_URL: `${pd.url}/v2/enqueue`,
        CRONWRAP_SMTP_URL: `smtp://alerts@127.0.0.1:${dead}`,
        CRONWRAP_SMTP_PASSWORD: PASSWORD,
      },
    });
    expect(result.exitCode).toBe(1);
    const kept = keptFiles(box).map((f) => readFileSync(join(box.stateDir, 'spool', f), 'utf8'));
    expect(kept).toHaveLength(1); // the mail, to a closed port
    const everything = [
      box.logOf('sec').toString(),
      readFileSync(join(box.stateDir, 'history', 'sec.jsonl'), 'utf8'),
      ...kept,
      result.stdout.toString(),
      result.stderr.toString(),
      ...hook.requests.map((r) => r.body),
    ];
    for (const text of everything) {
      expect(text).not.toContain(ROUTING_KEY);
      expect(text).not.toContain(PASSWORD);
    }
    // The job ran with cronwrap's secrets taken out of its environment, the rest kept.
    expect(box.logOf('sec').toString()).toMatch(/out\| CRONWRAP_STATE_DIR=/);
    // Only the PagerDuty request carries the routing key, as the API requires.
    expect(JSON.parse(pd.requests[0]!.body).routing_key).toBe(ROUTING_KEY);
  });

  it('secrets are not accepted as flags', async () => {
    const box = sandbox();
    const result = await cronwrap(['--smtp-password', 'x', '--', 'true'], box);
    expect(result.exitCode).toBe(125);
    expect(result.stderr.toString()).toMatch(/unknown option '--smtp-password'/);
  });
});

describe('test-alert', () => {
  it('sends a marked test through every channel and says ok per channel', async () => {
    const smtp = await startSmtp();
    const pd = await startHttp(pagerDutyAnswer());
    const hook = await startHttp();
    const box = sandbox();
    const result = await cronwrap(['test-alert', '--name', 'backup', '--mail-to', 'ops@example.com', '--webhook', hook.url], box, {
      env: { CRONWRAP_SMTP_URL: `smtp://127.0.0.1:${smtp.port}`, CRONWRAP_PAGERDUTY_ROUTING_KEY: ROUTING_KEY, CRONWRAP_PAGERDUTY_URL: `${pd.url}/v2/enqueue` },
    });
    expect(result.exitCode).toBe(0);
    expect(result.stdout.toString().trimEnd().split('\n')).toEqual([
      'email test: ok',
      'pagerduty test (trigger): ok',
      'pagerduty test (resolve): ok',
      expect.stringMatching(/^webhook http:\/\/127\.0\.0\.1:\d+\/… test: ok$/),
    ]);
    expect(split(smtp.mails[0]!.raw).headers).toMatch(/^Subject: \[cronwrap\] backup TEST ALERT on \S+$/m);
    expect(JSON.parse(pd.requests[0]!.body).dedup_key).toMatch(/\/backup\/test$/);
    expect(keptFiles(box)).toEqual([]);
  });

  it.skipIf(!hasFaketime)('exits 1 and says why when a channel fails, or when none is configured (needs faketime)', async () => {
    const box = sandbox();
    const dead = await freePort();
    // Ten times as fast: the retries' backoff (1, 2, 4 s) passes in under a second.
    const failing = await cronwrapAt('+0 x10', ['test-alert', '--webhook', `http://127.0.0.1:${dead}/x`], box, { env: { FAKETIME_DONT_FAKE_MONOTONIC: '0' } });
    expect(failing.exitCode).toBe(1);
    expect(failing.stdout.toString()).toMatch(/^webhook http:\/\/127\.0\.0\.1:\d+\/… test: FAILED: .*connection refused$/m);
    const none = await cronwrap(['test-alert'], box);
    expect(none.exitCode).toBe(1);
    expect(none.stderr.toString()).toMatch(/no alert channel is configured/);
  });
});

describe('email through the local sendmail', () => {
  it('with no SMTP server set, hands the mail to sendmail, as cron does', async () => {
    const box = sandbox();
    // A stand-in for sendmail that keeps its arguments and the message it is given on stdin.
    const fake = join(box.dir, 'sendmail');
    const kept = join(box.dir, 'sent');
    writeFileSync(fake, `#!/bin/sh\necho "$@" > ${kept}.args\ncat > ${kept}.message\n`, { mode: 0o755 });
    const result = await cronwrap(['--name', 'local', '-c', 'echo oops; exit 6'], box, { env: { CRONWRAP_MAIL_TO: 'root', CRONWRAP_SENDMAIL: fake } });
    expect(result.exitCode).toBe(6);
    expect(readFileSync(`${kept}.args`, 'utf8')).toMatch(/^-i -f cronwrap@\S+ root\n$/);
    const message = readFileSync(`${kept}.message`, 'utf8');
    expect(message).toMatch(/^Subject: \[cronwrap\] local FAILED on \S+ \(exit 6\)$/m);
    expect(message).toMatch(/^To: root@\S+$/m);
    expect(message).toMatch(/^Auto-Submitted: auto-generated$/m);
    expect(message).toContain('out| oops');
    expect(footer(parseLog(box.logOf('local'))).notifications).toBe('email failure: ok');
  });
});

describe('--stderr-fails, as chronic -e', () => {
  const warns = ['sh', '-c', 'echo done; echo "warning: 3 rows skipped" >&2'];

  it('a run that exits 0 but writes to stderr is failed everywhere cronwrap judges it; the exit status stays 0', async () => {
    const hook = await startHttp();
    const box = sandbox();
    const metrics = join(box.dir, 'metrics');
    const run = await cronwrap(['--name', 'e', '--stderr-fails', '--webhook', hook.url, '--metrics-dir', metrics, '--', ...warns], box);
    expect(run.exitCode).toBe(0);
    const report = JSON.parse(hook.requests[0]!.body) as Record<string, unknown>;
    expect(report).toMatchObject({ kind: 'failure', exit: 0, status: 'succeeded (exit 0) but wrote 1 line to stderr (--stderr-fails)' });
    expect(historyOf(box, 'e')[0]).toMatchObject({ exit: 0, stderr_failed: true });
    expect(readFileSync(join(metrics, 'cronwrap_e.prom'), 'utf8')).toMatch(/^cronwrap_failures_total\{cron_job="e"\} 1$/m);
    const status = await cronwrap(['status', '--json'], box);
    expect(JSON.parse(status.stdout.toString())).toMatchObject([{ job: 'e', last_result: 'stderr', failing: true }]);
    expect(status.exitCode).toBe(1);
  });

  it('under cron with no channel, the failure report goes to stdout for cron to mail; quiet stderr, or no flag, stays quiet', async () => {
    const box = sandbox();
    const failed = await cronwrap(['--name', 'c', '--stderr-fails', '--', ...warns], box);
    expect(failed.exitCode).toBe(0);
    expect(failed.stdout.toString()).toMatch(/^cronwrap: job c FAILED on /);
    expect(failed.stdout.toString()).toMatch(/^status: +succeeded \(exit 0\) but wrote 1 line to stderr \(--stderr-fails\) \(cronwrap exits 0\)$/m);
    expect((await cronwrap(['--name', 'c', '--stderr-fails', '--', 'echo', 'fine'], box)).stdout.toString()).toBe('');
    expect((await cronwrap(['--name', 'c', '--', ...warns], box)).stdout.toString()).toBe('');
  });

  it('is refused with --pty, which merges stderr into stdout', async () => {
    const run = await cronwrap(['--name', 'p', '--stderr-fails', '--pty', '--', 'true'], sandbox());
    expect(run.exitCode).toBe(125);
    expect(run.stderr.toString()).toMatch(/--stderr-fails cannot see stderr under --pty/);
  });
});
