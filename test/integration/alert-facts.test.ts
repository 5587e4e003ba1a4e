import { spawn } from 'node:child_process';
import { closeSync, openSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, cronwrap, historyOf, sandbox, waitFor, writesBytes, type Sandbox } from '../helpers/cronwrap.js';
import { footer, parseLog } from '../helpers/records.js';
import { pagerDutyAnswer, startHttp, startSmtp } from '../helpers/servers.js';

const ROUTING_KEY = 'R0UT1NGKEYR0UT1NGKEYR0UT1NGKEY12';

/** A mail's body as its reader sees it: quoted-printable (nodemailer's choice for long lines) decoded, LF line ends. */
function mailBody(raw: string): string {
  const at = raw.indexOf('\r\n\r\n');
  const body = raw.slice(at + 4);
  if (!/^Content-Transfer-Encoding: quoted-printable$/im.test(raw.slice(0, at))) return body.replace(/\r\n/g, '\n');
  const bytes = body.replace(/=\r\n/g, '').replace(/=([0-9A-F]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)));
  return Buffer.from(bytes, 'latin1').toString('utf8').replace(/\r\n/g, '\n');
}

/** Mail (a real SMTP server), a JSON webhook and PagerDuty (real HTTP servers) for one run. */
async function channels() {
  const smtp = await startSmtp();
  const hook = await startHttp();
  const pd = await startHttp(pagerDutyAnswer());
  return {
    args: ['--mail-to', 'ops@example.com', '--webhook', hook.url],
    env: { CRONWRAP_SMTP_URL: `smtp://127.0.0.1:${smtp.port}`, CRONWRAP_PAGERDUTY_ROUTING_KEY: ROUTING_KEY, CRONWRAP_PAGERDUTY_URL: `${pd.url}/v2/enqueue` },
    /** What each channel received of the run's one alert: the mail's body, the webhook's report, PagerDuty's details. */
    received() {
      expect([smtp.mails.length, hook.requests.length, pd.requests.length]).toEqual([1, 1, 1]);
      return {
        mail: mailBody(smtp.mails[0]!.raw),
        report: JSON.parse(hook.requests[0]!.body) as Record<string, any>,
        details: (JSON.parse(pd.requests[0]!.body) as Record<string, any>).payload.custom_details as Record<string, any>,
      };
    },
  };
}

/** A run of the built binary whose stdout is `stdout` (a pipe or a file descriptor), with its stderr and exit status. */
function runWith(args: string[], box: Sandbox, env: Record<string, string>, stdout: 'pipe' | number) {
  const child = spawn(BIN, args, { env: { ...box.env, ...env }, stdio: ['ignore', stdout, 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const exit = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return { child, exit, stderr: () => stderr };
}

describe('the alert says what the output was', () => {
  it('binary or invalid UTF-8 output: every alert, the footer and the history say how many bytes were not text', async () => {
    const box = sandbox();
    const to = await channels();
    // 0xff and 0xfe are never UTF-8, a NUL is binary; é and the emoji are text.
    const bytes = Buffer.concat([Buffer.from('caf\u00e9 ok\n'), Buffer.from([0xff, 0xfe]), Buffer.from(' bad \u{1f600}\n'), Buffer.from([0]), Buffer.from('nul\n')]);
    const result = await cronwrap(['--name', 'bin', ...to.args, '--', ...writesBytes(box, bytes, Buffer.alloc(0), 4)], box, { env: to.env });
    expect(result.exitCode).toBe(4);
    const note = 'the output held 3 bytes that are not UTF-8 text (binary data, another encoding, or NUL): shown here as U+FFFD or \\x00; the log keeps them as written';
    const { mail, report, details } = to.received();
    expect(mail).toContain(`\nnote: ${note}\n`);
    expect(report.notes).toEqual([note]);
    expect(details.notes).toEqual([note]);
    expect(footer(parseLog(box.logOf('bin')))).toMatchObject({ stdout_not_text_bytes: '3' });
    expect(footer(parseLog(box.logOf('bin'))).stderr_not_text_bytes).toBeUndefined();
    expect(historyOf(box.stateDir, 'bin')[0]!.notes).toEqual([note]);
  });

  it("with no channel, the failure report on stdout (cron's mail) says it too", async () => {
    const box = sandbox();
    const result = await cronwrap(['--name', 'binrep', '--', ...writesBytes(box, Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x00, 0x00, 0x0a]), Buffer.from([0xc3, 0x28, 0x0a]), 1)], box);
    expect(result.exitCode).toBe(1);
    expect(result.stdout.toString()).toMatch(/^cronwrap: job binrep FAILED[\s\S]*\n\nnote: the output held 3 bytes that are not UTF-8 text .*\n$/);
    expect(footer(parseLog(box.logOf('binrep')))).toMatchObject({ stdout_not_text_bytes: '2', stderr_not_text_bytes: '1' });
  });

  it('text output says nothing of the kind', async () => {
    const box = sandbox();
    const to = await channels();
    await cronwrap(['--name', 'txt', ...to.args, '-c', 'printf "caf\\303\\251 \\360\\237\\230\\200\\n"; exit 1'], box, { env: to.env });
    const { mail, report, details } = to.received();
    expect(mail).not.toContain('note:');
    expect(report.notes).toBeUndefined();
    expect(details.notes).toBeUndefined();
    expect(historyOf(box.stateDir, 'txt')[0]!.notes).toBeUndefined();
  });
});

describe('Slack-format webhooks', () => {
  it('output, command and status are text: no mention, no link, whatever the job printed', async () => {
    const box = sandbox();
    const slack = await startHttp();
    const evil = 'echo "<!channel> <!here|here> <@U024BE7LH> <!subteam^S1|ops> <https://evil.example|click> @here @channel Tom & Jerry"; exit 1';
    const result = await cronwrap(['--name', 'slacky', '--webhook', slack.url, '--webhook-format', 'slack', '-c', `${evil} # <!everyone>`], box);
    expect(result.exitCode).toBe(1);
    const message = JSON.parse(slack.requests[0]!.body) as Record<string, unknown>;
    // Nothing that makes Slack parse names: no link_names, no parse=full.
    expect(Object.keys(message)).toEqual(['text']);
    const text = message.text as string;
    expect(text).not.toMatch(/[<>]/);
    expect(text).not.toMatch(/&(?!amp;|lt;|gt;)/);
    expect(text).toContain('# &lt;!everyone&gt;'); // the command, as the job's line wrote it
    expect(text).toContain('&lt;!channel&gt; &lt;!here|here&gt; &lt;@U024BE7LH&gt; &lt;!subteam^S1|ops&gt; &lt;https://evil.example|click&gt; @here @channel Tom &amp; Jerry');
  });

  it('a right-to-left override or an invisible character from the output is shown escaped, never acted on', async () => {
    const box = sandbox();
    const slack = await startHttp();
    // U+202E (RIGHT-TO-LEFT OVERRIDE) and U+200B (ZERO WIDTH SPACE), in UTF-8.
    await cronwrap(['--name', 'rlo', '--webhook', slack.url, '--webhook-format', 'slack', '-c', "printf 'exit \\342\\200\\256 0 ok\\342\\200\\213\\n'; exit 1"], box);
    const { text } = JSON.parse(slack.requests[0]!.body) as { text: string };
    expect(text).toContain('out| exit \\u202e 0 ok\\u200b');
    expect(text).not.toMatch(/[\u202e\u200b]/);
  });

  it('at most the 4,000 characters Slack asks for, escaped: the oldest lines give way, the closing fence and the notes stay', async () => {
    const box = sandbox();
    const slack = await startHttp();
    // Twelve lines of 3,000 '&' (15,000 characters each once escaped), and a byte that is not text for a note.
    const job = `for i in $(seq 1 12); do printf '%3000s\\n' | tr ' ' '&'; done; printf 'last \\377\\n'; exit 1`;
    await cronwrap(['--name', 'wide', '--webhook', slack.url, '--webhook-format', 'slack', '-c', job], box);
    const { text } = JSON.parse(slack.requests[0]!.body) as { text: string };
    expect(text.length).toBeLessThanOrEqual(4000);
    expect(text).toMatch(/^\[cronwrap\] wide FAILED/);
    expect(text).toMatch(/\n```\n.* out\| (&amp;)+…\n.* out\| last \ufffd\n```\nnote: the output held 1 byte that is not UTF-8 text/);
    expect(text).not.toMatch(/&(?!amp;|lt;|gt;)/); // no entity cut in half
  });
});

describe('a --tee whose stdout fails', () => {
  it("a reader that closed the pipe (EPIPE): said once on stderr, in the footer, the history and the alert; the log keeps all, the exit status stands", async () => {
    const box = sandbox();
    const to = await channels();
    const flag = join(box.dir, 'reader-gone');
    const job = `echo first; until [ -e ${flag} ]; do sleep 0.01; done; echo second; echo third; exit 3`;
    const run = runWith(['--name', 'teed', '--tee', ...to.args, '-c', job], box, to.env, 'pipe');
    let seen = '';
    run.child.stdout!.on('data', (chunk: Buffer) => (seen += chunk.toString('utf8')));
    await waitFor(() => seen.includes('first'));
    run.child.stdout!.destroy(); // the reader goes away, as `cronwrap --tee ... | head -1` does
    writeFileSync(flag, '');
    expect(await run.exit).toBe(3);
    const reason = 'cannot write stdout: EPIPE (its reader closed the pipe)';
    expect(run.stderr().split(reason)).toHaveLength(2); // said once
    const log = parseLog(box.logOf('teed'));
    expect(log.records.map((r) => r.text.toString())).toEqual(['first', 'second', 'third']);
    expect(footer(log)).toMatchObject({ exit: '3', not_shown_reason: reason, not_shown_bytes: expect.stringMatching(/^[1-9]\d*$/) });
    const note = expect.stringMatching(new RegExp(`^stdout stopped taking the output: ${reason.replace(/[()]/g, '\\$&')}; \\d+ bytes of records were not printed there$`));
    expect(historyOf(box.stateDir, 'teed')[0]!.notes).toEqual([note]);
    const { mail, report, details } = to.received();
    expect(mail).toMatch(/\nnote: stdout stopped taking the output: cannot write stdout: EPIPE/);
    expect(report.notes).toEqual([note]);
    expect(details.notes).toEqual([note]);
  });

  it('a full disk (/dev/full): the same, with ENOSPC', async () => {
    const box = sandbox();
    const full = openSync('/dev/full', 'w');
    try {
      const run = runWith(['--name', 'full', '--tee', '-c', 'echo one; echo two >&2; exit 2'], box, {}, full);
      expect(await run.exit).toBe(2);
      const reason = 'cannot write stdout: ENOSPC (the disk is full)';
      expect(run.stderr().split(reason)).toHaveLength(2);
      const log = parseLog(box.logOf('full'));
      expect(log.records.map((r) => r.text.toString()).sort()).toEqual(['one', 'two']);
      expect(footer(log)).toMatchObject({ exit: '2', not_shown_reason: reason });
      expect(historyOf(box.stateDir, 'full')[0]!.notes).toEqual([expect.stringContaining(reason)]);
    } finally {
      closeSync(full);
    }
  });
});

describe('a log that could not be written', () => {
  it.each([
    ['a full disk', '/dev/full', /^cannot write \/dev\/full: ENOSPC$/],
    ['a directory that cannot be made', 'file/sub/job.log', /^cannot open .*\/file\/sub\/job\.log: ENOTDIR$/],
  ])('%s: the alerts say the log was NOT written and why, not where to look', async (_how, where, reason) => {
    const box = sandbox();
    writeFileSync(join(box.dir, 'file'), '');
    const logPath = where.startsWith('/') ? where : join(box.dir, where);
    const to = await channels();
    const result = await cronwrap(['--name', 'nolog', '--log', logPath, ...to.args, '-c', 'echo lost; exit 1'], box, { env: to.env });
    expect(result.exitCode).toBe(1);
    expect(result.stderr.toString()).toContain('out| lost'); // the output went to stderr instead
    const { mail, report, details } = to.received();
    const logLine = /\nlog: +(.*)\n/.exec(mail)![1]!;
    expect(logLine).toMatch(/^NOT written: /);
    expect(logLine.slice('NOT written: '.length)).toMatch(reason);
    expect(report).toMatchObject({ log: logPath, log_not_written: expect.stringMatching(reason) });
    expect(details.log).toBe(logLine);
    expect(historyOf(box.stateDir, 'nolog')[0]!.notes).toEqual([`log NOT written: ${report.log_not_written as string}`]);

    const slack = await startHttp();
    await cronwrap(['--name', 'nolog-slack', '--log', logPath, '--webhook', slack.url, '--webhook-format', 'slack', '-c', 'exit 1'], box);
    expect((JSON.parse(slack.requests[0]!.body) as { text: string }).text).toMatch(/; log NOT written: cannot (write|open) /);
  });
});
