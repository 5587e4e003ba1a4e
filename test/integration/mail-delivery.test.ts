import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SMTPServerAddress, SMTPServerSession } from 'smtp-server';
import { describe, expect, it } from 'vitest';
import { cronwrap, cronwrapAt, hasFaketime, sandbox, scriptFile, waitFor, type Sandbox } from '../helpers/cronwrap.js';
import { alive } from '../helpers/processes.js';
import { footer, parseLog } from '../helpers/records.js';
import { startSmtp } from '../helpers/servers.js';

const keptFiles = (box: Sandbox) => {
  const dir = join(box.stateDir, 'spool', 'email');
  return existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.json')) : [];
};

/** A mail's header block and its body, quoted-printable soft breaks joined. */
function split(raw: string): { headers: string; body: string } {
  const at = raw.indexOf('\r\n\r\n');
  return { headers: raw.slice(0, at), body: raw.slice(at + 4).replace(/=\r\n/g, '').replace(/=3D/g, '=') };
}

const notifications = (box: Sandbox, job: string) => footer(parseLog(box.logOf(job))).notifications;

/** An `onRcptTo` that greylists: 451 to each recipient's first try, as postgrey does. */
function greylisting() {
  const seen = new Set<string>();
  return (address: SMTPServerAddress, _session: SMTPServerSession, callback: (error?: Error | null) => void) => {
    if (seen.has(address.address)) return callback();
    seen.add(address.address);
    callback(Object.assign(new Error('Greylisted, please try again later'), { responseCode: 451 }));
  };
}

const many = 'for i in $(seq 1 200); do echo "line $i of a long report from the job, long enough to weigh something"; done; exit 2';

describe('mail over SMTP: temporary and size refusals', () => {
  it.skipIf(!hasFaketime)('a greylisting server (451 to RCPT TO): the alert is kept and sent by a run after its backoff (needs faketime)', async () => {
    const smtp = await startSmtp({ onRcptTo: greylisting() });
    const box = sandbox();
    const env = { CRONWRAP_SMTP_URL: `smtp://127.0.0.1:${smtp.port}` };
    const first = await cronwrap(['--name', 'grey', '--mail-to', 'ops@example.com', '-c', 'echo oops; exit 3'], box, { env });
    expect(first.exitCode).toBe(3);
    expect(smtp.mails).toHaveLength(0);
    expect(keptFiles(box)).toHaveLength(1);
    expect(notifications(box, 'grey')).toMatch(/^email failure: email: deferred for ops@example\.com by the SMTP server: .*451 Greylisted.* \(kept\)$/);

    const next = await cronwrapAt('+2m', ['--name', 'other', '--mail-to', 'ops@example.com', '--', 'true'], box, { env });
    expect(next.exitCode).toBe(0);
    expect(smtp.mails).toHaveLength(1);
    expect(split(smtp.mails[0]!.raw).headers).toMatch(/^Subject: \[cronwrap\] grey FAILED/m);
    expect(keptFiles(box)).toEqual([]);
  });

  it.skipIf(!hasFaketime)('one recipient greylisted, another taken: the alert is kept for the one put off only, a 550 one is said and dropped (needs faketime)', async () => {
    const greylist = greylisting();
    const smtp = await startSmtp({
      onRcptTo: (address, session, callback) => {
        if (address.address === 'gone@example.com') return callback(Object.assign(new Error('No such user'), { responseCode: 550 }));
        if (address.address === 'slow@example.com') return greylist(address, session, callback);
        callback();
      },
    });
    const box = sandbox();
    const env = { CRONWRAP_SMTP_URL: `smtp://127.0.0.1:${smtp.port}` };
    const first = await cronwrap(['--name', 'split', '--mail-to', 'ops@example.com,slow@example.com,gone@example.com', '-c', 'exit 3'], box, { env });
    expect(first.exitCode).toBe(3);
    expect(smtp.mails.map((mail) => mail.to)).toEqual([['ops@example.com']]);
    expect(notifications(box, 'split')).toMatch(/^email failure: email: sent to ops@example\.com; deferred for slow@example\.com by the SMTP server: .*451 Greylisted.*; refused for gone@example\.com: .*550 No such user.* \(kept\)$/);
    const [kept] = keptFiles(box);
    expect(JSON.parse(readFileSync(join(box.stateDir, 'spool', 'email', kept!), 'utf8')).to).toEqual(['slow@example.com']);
    // cron's mail says who did not get it
    expect(first.stdout.toString()).toMatch(/^ {2}email to ops@example\.com, slow@example\.com, gone@example\.com: .*deferred for slow@example\.com.*\(kept/m);

    await cronwrapAt('+2m', ['--name', 'other', '--', 'true'], box, { env: { ...env, CRONWRAP_MAIL_TO: 'ops@example.com' } });
    expect(smtp.mails.map((mail) => mail.to)).toEqual([['ops@example.com'], ['slow@example.com']]);
    expect(keptFiles(box)).toEqual([]);
  });

  it('a 421 to MAIL FROM is temporary too: kept', async () => {
    const smtp = await startSmtp({ onMailFrom: (_a, _s, callback) => callback(Object.assign(new Error('Too busy, come back later'), { responseCode: 421 })) });
    const box = sandbox();
    await cronwrap(['--name', 'busy', '--mail-to', 'ops@example.com', '-c', 'exit 1'], box, { env: { CRONWRAP_SMTP_URL: `smtp://127.0.0.1:${smtp.port}` } });
    expect(keptFiles(box)).toHaveLength(1);
    expect(notifications(box, 'busy')).toMatch(/deferred by the SMTP server: .*421 Too busy.*\(kept\)$/);
  });

  it.skipIf(!hasFaketime)('a 452 to the message (after DATA) is temporary too: kept, and sent by a run after its backoff (needs faketime)', async () => {
    let answers = 0;
    const smtp = await startSmtp({ refuseData: () => (answers++ === 0 ? Object.assign(new Error('Insufficient system storage'), { responseCode: 452 }) : undefined) });
    const box = sandbox();
    const env = { CRONWRAP_SMTP_URL: `smtp://127.0.0.1:${smtp.port}` };
    await cronwrap(['--name', 'full', '--mail-to', 'ops@example.com', '-c', 'exit 1'], box, { env });
    expect(keptFiles(box)).toHaveLength(1);
    expect(notifications(box, 'full')).toMatch(/deferred by the SMTP server: .*452 Insufficient system storage.*\(kept\)$/);
    await cronwrapAt('+2m', ['--name', 'other', '--mail-to', 'ops@example.com', '--', 'true'], box, { env });
    expect(smtp.mails).toHaveLength(1);
    expect(keptFiles(box)).toEqual([]);
  });

  it('a 550 stays permanent: not kept', async () => {
    const smtp = await startSmtp({ onRcptTo: (_a, _s, callback) => callback(Object.assign(new Error('No such user'), { responseCode: 550 })) });
    const box = sandbox();
    await cronwrap(['--name', 'nouser', '--mail-to', 'ops@example.com', '-c', 'exit 1'], box, { env: { CRONWRAP_SMTP_URL: `smtp://127.0.0.1:${smtp.port}` } });
    expect(keptFiles(box)).toEqual([]);
    expect(notifications(box, 'nouser')).toMatch(/^email failure: email: refused for ops@example\.com: .*550 No such user$/);
  });

  it('a server that advertises SIZE: a mail over it is sent again with its output cut to fit, saying so', async () => {
    const limit = 3000;
    const smtp = await startSmtp({ size: limit, rejectOversized: true });
    const box = sandbox();
    const result = await cronwrap(['--name', 'big', '--mail-to', 'ops@example.com', '-c', many], box, { env: { CRONWRAP_SMTP_URL: `smtp://127.0.0.1:${smtp.port}` } });
    expect(result.exitCode).toBe(2);
    expect(smtp.mails).toHaveLength(1);
    const raw = smtp.mails[0]!.raw;
    expect(Buffer.byteLength(raw)).toBeLessThanOrEqual(limit);
    const { headers, body } = split(raw);
    expect(headers).toMatch(/^Subject: \[cronwrap\] big FAILED on \S+ \(exit 2\)$/m);
    expect(body).toMatch(/^status: +failed with exit status 2/m);
    expect(body).toContain(`(output cut to fit the mail server's size limit of ${limit} bytes; the log holds all of it)`);
    // The last lines are the ones kept: the end of the output says most about a failure.
    expect(body).toMatch(/showing last \d+ of 200 lines of output:/);
    expect(body).toMatch(/out\| line 200 of a long report/);
    expect(body).not.toMatch(/out\| line 1 of a long report/);
    expect(notifications(box, 'big')).toBe('email failure: ok');
  });

  it('a server that answers 552 after DATA without saying its limit: sent again without the output', async () => {
    const smtp = await startSmtp({ size: 3000, hideSize: true, rejectOversized: true });
    const box = sandbox();
    await cronwrap(['--name', 'hidden', '--mail-to', 'ops@example.com', '-c', many], box, { env: { CRONWRAP_SMTP_URL: `smtp://127.0.0.1:${smtp.port}` } });
    expect(smtp.mails).toHaveLength(1);
    const { body } = split(smtp.mails[0]!.raw);
    expect(body).toContain('none of the 200 lines of output is shown here');
    expect(body).toContain("(output cut to fit the mail server's size limit; the log holds all of it)");
    expect(keptFiles(box)).toEqual([]);
  });
});

describe('what a mail says', () => {
  it('carries Precedence: bulk and Auto-Submitted, and shows a line rewritten with CR as a terminal would leave it', async () => {
    const smtp = await startSmtp();
    const box = sandbox();
    const script = 'printf "copying 10%%\\rcopying 50%%\\rcopying 100%%\\n"; printf "windows line\\r\\n"; printf "FATAL: backup corrupted\\rOK\\n"; exit 1';
    await cronwrap(['--name', 'progress', '--mail-to', 'ops@example.com', '-c', script], box, {
      env: { CRONWRAP_SMTP_URL: `smtp://127.0.0.1:${smtp.port}` },
    });
    expect(smtp.mails).toHaveLength(1);
    const { headers, body } = split(smtp.mails[0]!.raw);
    expect(headers).toMatch(/^Precedence: bulk$/m);
    expect(headers).toMatch(/^Auto-Submitted: auto-generated$/m);
    expect(body).toMatch(/ out\| copying 100%\r\n/);
    expect(body).toMatch(/ out\| windows line\r\n/);
    // A shorter rewrite cannot hide a line from the alert: what it did not cover still shows.
    expect(body).toMatch(/ out\| OKTAL: backup corrupted\r\n/);
    const excerpt = body.slice(body.indexOf('all 3 lines of output:'));
    expect(excerpt).not.toContain('\\r');
    expect(excerpt).not.toContain('copying 50%');
    // The log keeps every byte.
    expect(box.logOf('progress').toString('utf8')).toContain('copying 10%\rcopying 50%\rcopying 100%\n');
  });
});

describe('mail through the local sendmail', () => {
  /** A stand-in for sendmail: records its arguments and message, then runs `then` (shell). */
  function fakeSendmail(box: Sandbox, then: string): string {
    return scriptFile(box, `#!/bin/sh\nprintf '%s\\n' "$@" > ${box.dir}/sendmail.args\ncat > ${box.dir}/sendmail.message\n${then}\n`);
  }

  it.skipIf(!hasFaketime)('a sendmail that hangs is killed with what it started at the delivery deadline; the alert is kept (needs faketime)', async () => {
    const box = sandbox();
    const pids = join(box.dir, 'sendmail.pids');
    const sendmail = fakeSendmail(box, `sleep 300 & echo $! > ${pids}; echo $$ >> ${pids}; wait`);
    // The clock runs 30 times as fast, timers too: the 60 s for notifications pass in 2 s.
    const result = await cronwrapAt('+0 x30', ['--name', 'hang', '--mail-to', 'root', '-c', 'exit 3'], box, { env: { CRONWRAP_SENDMAIL: sendmail, FAKETIME_DONT_FAKE_MONOTONIC: '0' } });
    expect(result.exitCode).toBe(3);
    const started = readFileSync(pids, 'utf8').trim().split('\n').map(Number);
    expect(started).toHaveLength(2);
    await waitFor(() => started.every((pid) => !alive(pid)), 5_000);
    expect(keptFiles(box)).toHaveLength(1);
    expect(notifications(box, 'hang')).toMatch(/^email failure: email: sendmail did not finish within \d+s and was killed \(kept\)$/);
  });

  it('exit 75 (EX_TEMPFAIL) is temporary: kept; exit 67 (addressee unknown) is not', async () => {
    const box = sandbox();
    await cronwrap(['--name', 'tempfail', '--mail-to', 'root', '-c', 'exit 3'], box, { env: { CRONWRAP_SENDMAIL: fakeSendmail(box, 'echo "queue directory full" >&2; exit 75') } });
    expect(notifications(box, 'tempfail')).toBe('email failure: email: sendmail exited with status 75 (temporary failure): queue directory full (kept)');
    expect(keptFiles(box)).toHaveLength(1);

    const other = sandbox();
    await cronwrap(['--name', 'nouser', '--mail-to', 'root', '-c', 'exit 3'], other, { env: { CRONWRAP_SENDMAIL: fakeSendmail(other, 'exit 67') } });
    expect(notifications(other, 'nouser')).toBe('email failure: email: sendmail exited with status 67 (addressee unknown)');
    expect(keptFiles(other)).toEqual([]);
  });

  it.skipIf(!hasFaketime)('a missing sendmail is said on stderr and in the footer, and the alert is kept for when one is there (needs faketime)', async () => {
    const box = sandbox();
    const missing = join(box.dir, 'no-such-sendmail');
    const env = { CRONWRAP_SENDMAIL: missing };
    const result = await cronwrap(['--name', 'nomta', '--mail-to', 'root', '-c', 'exit 3'], box, { env });
    expect(result.exitCode).toBe(3);
    const said = `email: no executable sendmail at ${missing}: install a mail transfer agent, set CRONWRAP_SENDMAIL to one, or set CRONWRAP_SMTP_URL`;
    expect(result.stderr.toString()).toContain(`cronwrap: alerts: ${said}`);
    expect(footer(parseLog(box.logOf('nomta'))).alerts_problem).toBe(said);
    expect(keptFiles(box)).toHaveLength(1);

    // Once a sendmail is there, a run after the kept alert's backoff sends it.
    await cronwrapAt('+2m', ['--name', 'later', '--mail-to', 'root', '--', 'true'], box, { env: { CRONWRAP_SENDMAIL: fakeSendmail(box, 'exit 0') } });
    expect(readFileSync(join(box.dir, 'sendmail.message'), 'utf8')).toMatch(/^Subject: \[cronwrap\] nomta FAILED/m);
    expect(keptFiles(box)).toEqual([]);
  });

  it('a recipient that sendmail would take for an option is refused when given, naming the key', async () => {
    const box = sandbox();
    const sendmail = fakeSendmail(box, 'exit 75');
    const result = await cronwrap(['--name', 'inject', '--mail-to', '-oQ/tmp ops@example.com', '-c', 'exit 3'], box, { env: { CRONWRAP_SENDMAIL: sendmail } });
    expect(result.exitCode).toBe(125);
    expect(result.stderr.toString()).toMatch(/^cronwrap: --mail-to: '-oQ\/tmp' starts with '-', which sendmail would take for an option; give a mail address like ops@example.com/m);
    expect(existsSync(join(box.dir, 'sendmail.args'))).toBe(false);
    expect(keptFiles(box)).toEqual([]);

    // From the environment (a crontab's line), it is ignored and said, as every bad value there is: the job still runs.
    const fromEnv = await cronwrap(['--name', 'inject', '-c', 'exit 3'], box, { env: { CRONWRAP_SENDMAIL: sendmail, CRONWRAP_MAIL_TO: 'ops@example.com,-oQ/tmp' } });
    expect(fromEnv.exitCode).toBe(3);
    expect(fromEnv.stderr.toString()).toMatch(/^cronwrap: config: CRONWRAP_MAIL_TO: '-oQ\/tmp' starts with '-', which sendmail would take for an option.* \(ignored; /m);
    expect(existsSync(join(box.dir, 'sendmail.args'))).toBe(false);
    expect(keptFiles(box)).toEqual([]);
  });

  it('a kept alert whose recipients were changed to an option is set aside, never handed to sendmail', async () => {
    const box = sandbox();
    await cronwrap(['--name', 'kept', '--mail-to', 'root', '-c', 'exit 3'], box, { env: { CRONWRAP_SENDMAIL: fakeSendmail(box, 'exit 75') } });
    const [name] = keptFiles(box);
    const file = join(box.stateDir, 'spool', 'email', name!);
    const alert = JSON.parse(readFileSync(file, 'utf8')) as { to: string[] };
    writeFileSync(file, JSON.stringify({ ...alert, to: ['-oQ/tmp', 'x@y'] }));
    rmSync(join(box.dir, 'sendmail.args'));

    const recorder = fakeSendmail(box, 'exit 0');
    const next = await cronwrap(['--name', 'other', '--mail-to', 'root', '--', 'true'], box, { env: { CRONWRAP_SENDMAIL: recorder } });
    expect(next.exitCode).toBe(0);
    expect(existsSync(join(box.dir, 'sendmail.args'))).toBe(false);
    expect(keptFiles(box)).toEqual([]);
    expect(footer(parseLog(box.logOf('other'))).alerts_problem).toMatch(/not a kept alert for email/);
  });

  it('hands sendmail the sender and recipients as arguments after -i -f', async () => {
    const box = sandbox();
    await cronwrap(['--name', 'args', '--mail-to', 'root,ops@example.com', '-c', 'exit 3'], box, { env: { CRONWRAP_SENDMAIL: fakeSendmail(box, 'exit 0') } });
    expect(readFileSync(join(box.dir, 'sendmail.args'), 'utf8').split('\n')).toEqual(['-i', '-f', expect.stringMatching(/^cronwrap@\S+$/), 'root', 'ops@example.com', '']);
    const message = readFileSync(join(box.dir, 'sendmail.message'), 'utf8');
    expect(message).not.toContain('\r\n');
    expect(message).toMatch(/^Precedence: bulk$/m);
    expect(notifications(box, 'args')).toBe('email failure: ok');
  });

  it("runs sendmail without cronwrap's secrets in its environment, as the job runs", async () => {
    const box = sandbox();
    const sendmail = fakeSendmail(box, `env > ${box.dir}/sendmail.env`);
    const secrets = {
      CRONWRAP_SMTP_PASSWORD: 'smtp-s3cret',
      CRONWRAP_PAGERDUTY_ROUTING_KEY: 'R0UTINGKEY',
      CRONWRAP_PAGERDUTY_URL: 'http://127.0.0.1:9/never',
      CRONWRAP_WEBHOOKS: 'http://u:hook-s3cret@127.0.0.1:9/h',
    };
    await cronwrap(['--name', 'envless', '--mail-to', 'root', '-c', 'exit 3'], box, { env: { CRONWRAP_SENDMAIL: sendmail, ...secrets, KEEP_ME: 'yes' } });
    const seen = readFileSync(join(box.dir, 'sendmail.env'), 'utf8');
    expect(seen).toMatch(/^KEEP_ME=yes$/m); // the rest of the environment is passed on
    for (const value of ['smtp-s3cret', 'R0UTINGKEY', 'hook-s3cret']) expect(seen).not.toContain(value);
  });
});
