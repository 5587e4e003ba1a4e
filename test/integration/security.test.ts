import { chmodSync, chownSync, copyFileSync, existsSync, lchownSync, linkSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { BIN, cronwrap, cronwrapAt, hasFaketime, sandbox, scriptFile, type Sandbox } from '../helpers/cronwrap.js';
import { footer, parseLog } from '../helpers/records.js';
import { selfSignedCertificate, startHttp, startSmtp } from '../helpers/servers.js';

// The Security issue: a root cronwrap against an unprivileged local user (`nobody`, uid 65534), who owns
// what the test hands them with chown. Each test reproduced an attack on the main of 2026-11-23.
const NOBODY = 65534;
const asRoot = process.getuid?.() === 0 || process.env.CI ? describe : describe.skip;

/** A directory (made if need be) that the attacker owns, with `mode`. */
function attackerDir(path: string, mode = 0o755): string {
  mkdirSync(path, { recursive: true });
  chownSync(path, NOBODY, NOBODY);
  chmodSync(path, mode);
  return path;
}

/** A file of root's that must never change: what the attacker aims root's writes at. */
function precious(box: Sandbox): string {
  const path = join(box.dir, 'precious');
  writeFileSync(path, 'precious\n', { mode: 0o600 });
  return path;
}

asRoot('temp files and directories another user controls', () => {
  it('symlinks planted at the next pids in a metrics dir the attacker owns never make root write through them', async () => {
    const box = sandbox();
    const victim = precious(box);
    const metrics = attackerDir(join(box.dir, 'metrics'));
    // The old temp name was cronwrap_<job>.prom.<pid>.tmp: plant a link at every pid the next runs may get.
    const last = Number(readFileSync('/proc/sys/kernel/ns_last_pid', 'utf8'));
    for (let pid = last + 1; pid <= last + 400; pid++) {
      const link = join(metrics, `cronwrap_m.prom.${pid}.tmp`);
      symlinkSync(victim, link);
      lchownSync(link, NOBODY, NOBODY);
    }
    const run = await cronwrap(['--name', 'm', '--metrics-dir', metrics, '--', 'sh', '-c', 'exit 3'], box);
    expect(run.exitCode).toBe(3);
    expect(readFileSync(victim, 'utf8')).toBe('precious\n');
    expect(existsSync(join(metrics, 'cronwrap_m.prom'))).toBe(false);
    expect(footer(parseLog(box.logOf('m'))).metrics_problem).toMatch(/not safe: .*\/metrics is owned by nobody \(uid 65534\)/);
    expect(run.stderr.toString()).toMatch(/cronwrap: metrics: .*not safe/);
  });

  it('a root-owned metrics dir inside one the attacker owns is refused too (they could swap it)', async () => {
    const box = sandbox();
    const parent = attackerDir(join(box.dir, 'prometheus'));
    const metrics = join(parent, 'node-exporter');
    mkdirSync(metrics);
    const run = await cronwrap(['--name', 'm', '--metrics-dir', metrics, '--', 'true'], box);
    expect(run.exitCode).toBe(0);
    expect(existsSync(join(metrics, 'cronwrap_m.prom'))).toBe(false);
    expect(footer(parseLog(box.logOf('m'))).metrics_problem).toMatch(/\/prometheus is owned by nobody/);
  });

  it('metrics in a root-owned dir are written through a random temp name', async () => {
    const box = sandbox();
    const metrics = join(box.dir, 'metrics');
    const run = await cronwrap(['--name', 'm', '--metrics-dir', metrics, '--', 'true'], box);
    expect(run.exitCode).toBe(0);
    expect(readFileSync(join(metrics, 'cronwrap_m.prom'), 'utf8')).toMatch(/cronwrap_last_exit_code\{.*\} 0/);
  });
});

asRoot('a config file another user could write', () => {
  /** A failing job with a config that has root run `sendmail` = the attacker's script, which leaves a mark. */
  async function runWithConfig(box: Sandbox, prepare: (config: string) => void) {
    const mark = join(box.dir, 'owned');
    const evil = scriptFile(box, `#!/bin/sh\ntouch ${mark}\ncat >/dev/null\n`);
    writeFileSync(box.env.CRONWRAP_CONFIG!, `sendmail = "${evil}"\nmail_to = ["root"]\n`, { mode: 0o600 });
    prepare(box.env.CRONWRAP_CONFIG!);
    const run = await cronwrap(['--name', 'c', '--', 'sh', '-c', 'exit 5'], box);
    const check = await cronwrap(['config', 'check'], box);
    return { run, check, owned: existsSync(mark) };
  }

  it.each([
    ['owned by the attacker, even 0600', (config: string) => chownSync(config, NOBODY, NOBODY), /is owned by nobody \(uid 65534\)/],
    ['writable by its group', (config: string) => chmodSync(config, 0o620), /can be written by its group; chmod go-w/],
    ['writable by every user', (config: string) => chmodSync(config, 0o606), /can be written by every user; chmod go-w/],
  ] as const)('%s: ignored as a whole, the job runs on built-in settings, config check fails naming why', async (_how, prepare, why) => {
    const box = sandbox();
    const { run, check, owned } = await runWithConfig(box, prepare);
    expect(owned).toBe(false);
    expect(run.exitCode).toBe(5);
    expect(run.stderr.toString()).toMatch(/cronwrap: config: .*cronwrap\.toml: not used at all \(not safe: /);
    expect(run.stderr.toString()).toMatch(why);
    expect(check.exitCode).toBe(78);
    expect(check.stderr.toString()).toMatch(why);
  });

  it('in a directory the attacker owns: ignored', async () => {
    const box = sandbox();
    const dir = attackerDir(join(box.dir, 'etc'));
    const { run, owned } = await runWithConfig(box, (config) => {
      box.env.CRONWRAP_CONFIG = join(dir, 'cronwrap.toml');
      writeFileSync(box.env.CRONWRAP_CONFIG, readFileSync(config));
    });
    expect(owned).toBe(false);
    expect(run.stderr.toString()).toMatch(/not safe: .*\/etc is owned by nobody/);
  });

  it('root-owned and 0644: used (the mark shows root ran the configured sendmail)', async () => {
    const box = sandbox();
    const { run, owned } = await runWithConfig(box, (config) => chmodSync(config, 0o644));
    expect(run.exitCode).toBe(5);
    expect(owned).toBe(true);
  });

  it('a sendmail program the attacker owns or may write is not run', async () => {
    for (const prepare of [(path: string) => chownSync(path, NOBODY, NOBODY), (path: string) => chmodSync(path, 0o777)]) {
      const box = sandbox();
      const mark = join(box.dir, 'owned');
      const evil = scriptFile(box, `#!/bin/sh\ntouch ${mark}\ncat >/dev/null\n`);
      prepare(evil);
      const run = await cronwrap(['--name', 's', '--mail-to', 'root', '--', 'sh', '-c', 'exit 5'], box, { env: { CRONWRAP_SENDMAIL: evil } });
      expect(run.exitCode).toBe(5);
      expect(existsSync(mark)).toBe(false);
      expect(footer(parseLog(box.logOf('s'))).notifications).toMatch(/email:.*sendmail .* is not run \(not safe: /);
    }
  });

  it('a secret file the attacker owns, or others may read, is not used', async () => {
    const hook = await startHttp((_request, res) => res.writeHead(202).end('{}'));
    for (const prepare of [(path: string) => chownSync(path, NOBODY, NOBODY), (path: string) => chmodSync(path, 0o604)]) {
      const box = sandbox();
      const key = join(box.dir, 'routing.key');
      writeFileSync(key, 'R0UTINGKEY\n', { mode: 0o600 });
      prepare(key);
      const env = { CRONWRAP_PAGERDUTY_ROUTING_KEY_FILE: key, CRONWRAP_PAGERDUTY_URL: `${hook.url}/v2/enqueue` };
      const run = await cronwrap(['--name', 'k', '--', 'sh', '-c', 'exit 5'], box, { env });
      expect(run.exitCode).toBe(5);
      expect(footer(parseLog(box.logOf('k'))).notifications).toMatch(/routing\.key is not used \(not safe: /);
    }
    expect(hook.requests.map((r) => r.body).join('')).not.toContain('R0UTINGKEY');
  });
});

asRoot('log and state paths another user controls', () => {
  it.each([
    ['a world-writable log dir without the sticky bit', (box: Sandbox) => attackerDir(join(box.dir, 'logs'), 0o777) && chownSync(join(box.dir, 'logs'), 0, 0), /logs is writable by every user/],
    ['a log dir the attacker owns', (box: Sandbox) => attackerDir(join(box.dir, 'logs')), /logs is owned by nobody/],
    [
      "the attacker's file at the log path in a sticky dir like /tmp",
      (box: Sandbox) => {
        mkdirSync(box.logDir, { mode: 0o1777 });
        chmodSync(box.logDir, 0o1777);
        writeFileSync(join(box.logDir, 'l.log'), '');
        chownSync(join(box.logDir, 'l.log'), NOBODY, NOBODY);
      },
      /l\.log is owned by nobody/,
    ],
    [
      "a symlinked log dir the attacker planted in a sticky dir",
      (box: Sandbox) => {
        const sticky = join(box.dir, 'sticky');
        mkdirSync(sticky, { mode: 0o1777 });
        chmodSync(sticky, 0o1777);
        mkdirSync(join(box.dir, 'elsewhere'));
        symlinkSync(join(box.dir, 'elsewhere'), join(sticky, 'logs'));
        lchownSync(join(sticky, 'logs'), NOBODY, NOBODY);
        box.env.CRONWRAP_LOG_DIR = join(sticky, 'logs');
      },
      /the symbolic link .*sticky\/logs is owned by nobody/,
    ],
    [
      'a log that is a hard link to another file',
      (box: Sandbox) => {
        mkdirSync(box.logDir);
        linkSync(precious(box), join(box.logDir, 'l.log'));
      },
      /l\.log has 2 names \(hard links\)/,
    ],
  ] as const)('%s: the output is not written there, it goes to stderr, the exit status holds', async (_how, prepare, why) => {
    const box = sandbox();
    prepare(box);
    const run = await cronwrap(['--name', 'l', '--', 'sh', '-c', 'echo password=hunter2; exit 4'], box);
    expect(run.exitCode).toBe(4);
    expect(run.stderr.toString()).toMatch(/cronwrap: cannot open .*l\.log: not safe: /);
    expect(run.stderr.toString()).toMatch(why);
    expect(run.stderr.toString()).toMatch(/out\| password=hunter2/); // nothing lost: on stderr for cron's mail
    if (existsSync(join(box.dir, 'precious'))) expect(readFileSync(join(box.dir, 'precious'), 'utf8')).toBe('precious\n');
  });

  it("a state dir the attacker owns: nothing read from it (a planted history cannot make tail print root's files), nothing written", async () => {
    const box = sandbox();
    const victim = precious(box);
    attackerDir(box.stateDir, 0o700);
    attackerDir(join(box.stateDir, 'history'), 0o700);
    const planted = { job: 'st', run: 'x', host: 'h', start: '', end: '', duration_ms: 0, exit: 0, signal: null, timed_out: false, log: victim, attempts: 1, lock_skipped: false, leftovers: [], leftovers_ended: false, notifications: [] };
    writeFileSync(join(box.stateDir, 'history', 'st.jsonl'), `${JSON.stringify(planted)}\n`);
    const tail = await cronwrap(['tail', 'st'], box);
    expect(tail.stdout.toString()).not.toContain('precious');
    expect(tail.exitCode).toBe(1);
    expect(tail.stderr.toString()).toMatch(/cronwrap: not reading .*state: not safe: .*state is owned by nobody/);
    const status = await cronwrap(['status'], box);
    expect(status.exitCode).toBe(1);
    // The live view neither starts on it nor shows what it planted.
    const serve = await cronwrap(['serve', '--listen', '127.0.0.1:0'], box);
    expect(serve.exitCode).toBe(1);
    expect(serve.stdout.toString()).toBe('');
    expect(serve.stderr.toString()).toMatch(/cronwrap: not reading .*state: not safe: /);
    const run = await cronwrap(['--name', 'st', '--', 'sh', '-c', 'exit 2'], box);
    expect(run.exitCode).toBe(2);
    expect(footer(parseLog(box.logOf('st'))).history_problem).toMatch(/not safe: .*state is owned by nobody/);
    expect(readFileSync(join(box.stateDir, 'history', 'st.jsonl'), 'utf8').split('\n')).toHaveLength(2); // the planted line only
  });

  it("a root-owned state dir others may write into (sticky like /tmp, or group-writable): nothing planted in it is read (hostile-user review of issue 25)", async () => {
    const box = sandbox();
    // Sticky and world-writable: the attacker cannot remove root's files there, but can add its own.
    mkdirSync(join(box.stateDir, 'pauses'), { recursive: true });
    for (const dir of [box.stateDir, join(box.stateDir, 'pauses')]) chmodSync(dir, 0o1777);
    const pause = join(box.stateDir, 'pauses', 'rj.json');
    writeFileSync(pause, `${JSON.stringify({ since: 1, until: null, reason: 'evil', silence: false, by: 'root' })}\n`);
    chownSync(pause, NOBODY, NOBODY);
    const run = await cronwrap(['--name', 'rj', '--', 'sh', '-c', 'echo RAN; exit 3'], box);
    expect(run.exitCode).toBe(3); // the planted pause skipped the run (exit 0) on the main of 2026-12-03
    expect(run.stdout.toString()).toContain('RAN');
    const status = await cronwrap(['status'], box);
    expect(status.exitCode).toBe(1);
    expect(status.stderr.toString()).toMatch(/cronwrap: not reading .*state: not safe: .*state can be written by every user/);

    // Group-writable, the group another user's: the same.
    chmodSync(box.stateDir, 0o770);
    chownSync(box.stateDir, 0, NOBODY);
    const grouped = await cronwrap(['status'], box);
    expect(grouped.exitCode).toBe(1);
    expect(grouped.stderr.toString()).toMatch(/not safe: .*state can be written by its group; chmod go-w /);
  });

  it('a state dir the attacker owns: the run\'s alert still goes out, and nothing is kept there', async () => {
    const box = sandbox();
    attackerDir(box.stateDir, 0o700);
    const hook = await startHttp();
    const run = await cronwrap(['--name', 'st', '--webhook', `${hook.url}/h`, '--', 'sh', '-c', 'exit 2'], box);
    expect(run.exitCode).toBe(2);
    expect(hook.requests).toHaveLength(1);
    expect(JSON.parse(hook.requests[0]!.body)).toMatchObject({ kind: 'failure', job: 'st', exit: 2 });
    expect(run.stderr.toString()).not.toMatch(/internal error/);
    const end = footer(parseLog(box.logOf('st')));
    expect(end.notifications).toMatch(/^webhook http:\/\/127\.0\.0\.1:\d+\/… failure: ok$/);
    expect(end.alerts_problem).toMatch(/kept alerts .*not safe: .*state is owned by nobody/);
    expect(existsSync(join(box.stateDir, 'spool'))).toBe(false);
    expect(existsSync(join(box.stateDir, 'locks'))).toBe(false);
  });

  it.skipIf(!hasFaketime)("flush by another user over root's state dir: its kept alerts are said to be out of reach, not 'no kept alerts' (needs faketime)", async () => {
    const box = sandbox();
    // Refused, so kept; ten times as fast, the retries' 1, 2 and 4 s pass in under a second.
    const run = await cronwrapAt('+0 x10', ['--name', 'k', '--webhook', 'http://127.0.0.1:9/h', '--', 'false'], box, { env: { FAKETIME_DONT_FAKE_MONOTONIC: '0' } });
    expect(run.exitCode).toBe(1);
    // nobody may not enter the checkout: the bundle beside, in a directory it can enter (root's state dir stays 0700).
    chmodSync(box.dir, 0o755);
    const binary = join(box.dir, 'cronwrap');
    copyFileSync(join(BIN, '..', '..', 'dist', 'cronwrap-standalone.cjs'), binary);
    const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', CRONWRAP_CONFIG: '/dev/null', CRONWRAP_STATE_DIR: box.stateDir, HOME: box.dir };
    const flush = await execa(process.execPath, [binary, 'flush'], { uid: NOBODY, gid: NOBODY, env, extendEnv: false, reject: false });
    expect(flush.exitCode).toBe(1);
    expect(flush.stdout).not.toMatch(/no kept alerts/);
    expect(flush.stderr).toMatch(/^cronwrap: cannot read the kept alerts in .*\/spool: EACCES: flush as the user whose jobs kept them/m);
    expect(flush.stderr).not.toMatch(/internal error/);
  });
});

describe('what tail reads', () => {
  it('never a FIFO (it would block) nor a symlink at the log path: it says so and ends', async () => {
    const box = sandbox();
    mkdirSync(box.logDir);
    execFileSync('mkfifo', [join(box.logDir, 'fifo.log')]);
    symlinkSync(precious(box), join(box.logDir, 'link.log'));
    const fifo = await cronwrap(['tail', 'fifo'], box);
    expect(fifo.exitCode).toBe(1);
    expect(fifo.stderr.toString()).toMatch(/cannot read .*fifo\.log: not a regular file/);
    const link = await cronwrap(['tail', 'link'], box);
    expect(link.exitCode).toBe(1);
    expect(link.stdout.toString()).not.toContain('precious');
  });
});

describe('secrets in URLs and in what servers answer', () => {
  it('config show never prints a URL whole: user, password, path and query stay hidden', async () => {
    const box = sandbox();
    writeFileSync(box.env.CRONWRAP_CONFIG!, 'webhooks = ["https://hookuser:HookPw1@hooks.example.com/services/T000/TOKEN1"]\nping = "https://hc.example.com/ping/x?token=TOKEN2"\nmetrics_push = "http://push:PushPw3@pushgw.example.com:9091"\n');
    const show = await cronwrap(['config', 'show'], box);
    expect(show.exitCode).toBe(0);
    for (const secret of ['HookPw1', 'TOKEN1', 'TOKEN2', 'PushPw3', 'hookuser']) expect(show.stdout.toString()).not.toContain(secret);
    expect(show.stdout.toString()).toContain('webhooks = ["https://hooks.example.com/…"]');
  });

  it('a bad URL value is never echoed, on stderr or in the log', async () => {
    const box = sandbox();
    writeFileSync(box.env.CRONWRAP_CONFIG!, 'ping = "hts//alerts:PwInUrl2@hc.example.com"\n');
    const run = await cronwrap(['--name', 'u', '--', 'true'], box, { env: { CRONWRAP_WEBHOOKS: 'notaurl:PwInEnv3' } });
    expect(run.exitCode).toBe(0);
    expect(run.stderr.toString()).toMatch(/ping: not a URL \(the value is not shown: it may hold a token\)/);
    for (const text of [run.stderr.toString(), box.logOf('u').toString()]) {
      expect(text).not.toContain('PwInUrl2');
      expect(text).not.toContain('PwInEnv3');
    }
  });

  it('a server that echoes the request: the routing key and the URL token never reach the footer or history', async () => {
    const echo = await startHttp((request, res) => res.writeHead(400).end(`bad request ${request.url} ${request.body} \u001b[2J`));
    const box = sandbox();
    const key = 'R'.repeat(32);
    const env = { CRONWRAP_PAGERDUTY_ROUTING_KEY: key, CRONWRAP_PAGERDUTY_URL: `${echo.url}/v2/enqueue` };
    const run = await cronwrap(['--name', 'e', '--webhook', `${echo.url}/hook/SECRETTOKEN9`, '--', 'sh', '-c', 'exit 1'], box, { env });
    expect(run.exitCode).toBe(1);
    const history = readFileSync(join(box.stateDir, 'history', 'e.jsonl'), 'utf8');
    for (const text of [box.logOf('e').toString(), history, run.stdout.toString(), run.stderr.toString()]) {
      expect(text).not.toContain(key);
      expect(text).not.toContain('SECRETTOKEN9');
      expect(text).not.toContain('\u001b');
    }
    expect(footer(parseLog(box.logOf('e'))).notifications).toMatch(/HTTP 400: bad request \(hidden\)/);
  });
});

describe('the environment cronwrap inherits and passes on', () => {
  it.skipIf(!hasFaketime)('NODE_TLS_REJECT_UNAUTHORIZED=0 stays the job\'s: cronwrap\'s own alerts still refuse an untrusted certificate (needs faketime)', async () => {
    const { key, cert } = selfSignedCertificate();
    const hook = await startHttp(undefined, { key, cert });
    const box = sandbox();
    // Ten times as fast: the retries' backoff (1, 2, 4 s) passes in under a second.
    const run = await cronwrapAt('+0 x10', ['--name', 't', '--webhook', hook.url, '--', 'sh', '-c', 'echo "job sees $NODE_TLS_REJECT_UNAUTHORIZED"; exit 1'], box, {
      env: { NODE_TLS_REJECT_UNAUTHORIZED: '0', FAKETIME_DONT_FAKE_MONOTONIC: '0' },
    });
    expect(run.exitCode).toBe(1);
    expect(hook.requests).toHaveLength(0);
    expect(footer(parseLog(box.logOf('t'))).notifications).toMatch(/TLS certificate not trusted/);
    expect(box.logOf('t').toString()).toContain('out| job sees 0');
  });

  it('every setting that may hold a secret stays out of the job\'s environment', async () => {
    const box = sandbox();
    const hook = await startHttp();
    const env = { CRONWRAP_WEBHOOKS: `${hook.url}/T0KEN-W`, CRONWRAP_PING: `${hook.url}/T0KEN-P`, CRONWRAP_METRICS_PUSH: 'http://127.0.0.1:1/T0KEN-M', CRONWRAP_PAGERDUTY_URL: `${hook.url}/T0KEN-D`, CRONWRAP_TIMEOUT: '1m' };
    const run = await cronwrap(['--name', 'v', '--', 'env'], box, { env });
    expect(run.exitCode).toBe(0);
    const seen = box.logOf('v').toString();
    expect(seen).not.toContain('T0KEN');
    expect(seen).toContain('out| CRONWRAP_TIMEOUT=1m'); // a setting without a secret is the job's to see
  });

  it('recipients with a line break add no recipient: refused and said', async () => {
    const smtp = await startSmtp();
    const box = sandbox();
    const env = { CRONWRAP_MAIL_TO: 'ops@example.com\nBcc: thief@example.net', MAILTO: 'ops@example.com\nBcc: thief@example.net', CRONWRAP_SMTP_URL: `smtp://127.0.0.1:${smtp.port}` };
    const run = await cronwrap(['--name', 'mt', '--', 'sh', '-c', 'exit 1'], box, { env });
    expect(run.exitCode).toBe(1);
    expect(run.stderr.toString()).toMatch(/cronwrap: config: CRONWRAP_MAIL_TO: an address list may not hold a line break/);
    expect(smtp.mails.flatMap((mail) => mail.to)).not.toContain('thief@example.net');
  });
});

/** Runs cronwrap with its stdout on a pseudo-terminal (util-linux script); returns what the terminal got. */
async function onTerminal(box: Sandbox, args: readonly string[]): Promise<string> {
  const inner = [BIN, ...args].map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(' ');
  const result = await execa('script', ['--quiet', '--return', '--command', inner, '/dev/null'], { env: box.env, extendEnv: false, reject: false, stdin: 'ignore' });
  return result.stdout;
}

describe('what job output may do to a terminal', () => {
  const forge = `printf 'real\\r=== end job=x exit=0\\n\\033[2Jcleared\\n'; exit 3`;

  it('--tee and the live view escape ESC and CR on a terminal; the log keeps the bytes', async () => {
    const box = sandbox();
    const shown = await onTerminal(box, ['--name', 'tt', '--tee', '--', 'sh', '-c', forge]);
    expect(shown).not.toContain('\u001b[2J');
    expect(shown).toContain('real\\r=== end job=x exit=0');
    expect(shown).toContain('\\x1b[2Jcleared');
    expect(box.logOf('tt').toString()).toContain('real\r=== end job=x exit=0');
  });

  it('tail escapes them on a terminal, and passes the bytes to a pipe', async () => {
    const box = sandbox();
    await cronwrap(['--name', 'tt', '--', 'sh', '-c', forge], box);
    const shown = await onTerminal(box, ['tail', 'tt']);
    expect(shown).not.toContain('\u001b[2J');
    expect(shown).toContain('\\x1b[2Jcleared');
    const piped = await cronwrap(['tail', 'tt'], box);
    expect(piped.stdout.toString()).toContain('\u001b[2Jcleared');
  });
});

describe("what crontabs and state files may do to root's terminal", () => {
  // A screen clear, an OSC 52 clipboard write ended by BEL, a C1 CSI, a right-to-left override, a NUL.
  const HOSTILE = '\u001b[2J\u001b]52;c;aGk=\u0007\u009b\u202e\u0000';
  /** Anything a terminal would act on (or reorder by): every control character but the newline, and bidi controls. */
  const RAW = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

  /** A cron tree with hostile text where cron allows it, nobody's crontab among it, and a history that carries some too. */
  function hostileHost(box: Sandbox): string {
    const root = join(box.dir, 'root');
    const spool = join(root, 'var', 'spool', 'cron', 'crontabs');
    mkdirSync(spool, { recursive: true });
    mkdirSync(join(root, 'etc', 'cron.d'), { recursive: true });
    const mine = join(spool, 'nobody');
    writeFileSync(mine, `0 * * * * ${BIN} --name X${HOSTILE} -- true\n0 * * * * echo ${HOSTILE}\n`, { mode: 0o600 });
    if (process.getuid?.() === 0) chownSync(mine, NOBODY, NOBODY);
    writeFileSync(join(spool, 'no\u001b[31mbody'), `0 * * * * ${BIN} --name spooled -- true\n`, { mode: 0o600 });
    writeFileSync(join(root, 'etc', 'cron.d', 'evil'), `0 * * * * r${HOSTILE}oot /bin/true\n1${HOSTILE} * * * * root /bin/true\n`);
    mkdirSync(join(box.stateDir, 'history'), { recursive: true, mode: 0o700 });
    const run = { job: 'h', run: `r${HOSTILE}`, host: `h${HOSTILE}`, start: '2026-12-01T00:00:00.000Z', end: '2026-12-01T00:00:01.000Z', duration_ms: 1000, exit: 3, signal: null, timed_out: false, log: `/x${HOSTILE}.log`, attempts: 1, lock_skipped: false, leftovers: [], leftovers_ended: false, notifications: [], schedule: '0 * * * *' };
    writeFileSync(join(box.stateDir, 'history', 'h.jsonl'), `${JSON.stringify(run)}\n`);
    return root;
  }

  it('check, jobs, status, history and pause escape them in tables, lines, warnings and JSON; JSON still gives the text back', async () => {
    const box = sandbox();
    const root = hostileHost(box);
    const outputs = new Map<string, string>();
    for (const args of [['jobs'], ['jobs', '--json'], ['jobs', '--wrap'], ['check'], ['check', '--json'], ['status'], ['status', '--json'], ['history', 'h'], ['history', 'h', '--json'], ['pause', `p${HOSTILE.slice(0, -1)}`]]) {
      const withRoot = args[0] === 'jobs' || args[0] === 'check' ? [...args, '--root', root] : args;
      const run = await cronwrap(withRoot, box);
      // Nothing from a crontab or a state file is cronwrap's own error; a name given to pause is (a usage error).
      expect(run.exitCode === 125, args.join(' ')).toBe(args[0] === 'pause');
      outputs.set(`${args.join(' ')} stdout`, run.stdout.toString());
      outputs.set(`${args.join(' ')} stderr`, run.stderr.toString());
    }
    // check's table is for a terminal only; script(1) turns each newline into CR LF.
    outputs.set('check on a terminal', (await onTerminal(box, ['check', '--root', root])).replace(/\r\n/g, '\n'));
    for (const [what, text] of outputs) expect(RAW.exec(text), what).toBeNull();

    expect(outputs.get('jobs stdout')).toContain('r\\x1b[2J\\x1b]52;c;aGk=\\x07\\x9b\\u202e\\x00oot'); // the user column
    expect(outputs.get('jobs stdout')).toContain('/var/spool/cron/crontabs/no\\x1b[31mbody:1');
    expect(outputs.get('jobs --wrap stdout')).toContain(`-0 * * * * echo \\x1b[2J\\x1b]52;c;aGk=\\x07\\x9b\\u202e\\x00\n`);
    expect(outputs.get('history h stdout')).toContain('r\\x1b[2J\\x1b]52;c;aGk=\\x07\\x9b\\u202e\\x00');
    expect(outputs.get('check on a terminal')).toMatch(/^h +0 \* \* \* \* +MISSED /m); // the table was shown
    const listed = JSON.parse(outputs.get('jobs --json stdout')!) as { jobs: { command: string }[] };
    expect(listed.jobs.map((job) => job.command)).toContain(`echo ${HOSTILE}`);
    expect((JSON.parse(outputs.get('history h --json stdout')!) as { host: string }[])[0]!.host).toBe(`h${HOSTILE}`);
  });
});

describe('servers that answer without end', () => {
  it('a Redis that sends an endless reply is cut off after 1 MiB: bounded memory and time, the run skipped and told', async () => {
    let written = 0;
    const server = createServer((socket) => {
      socket.on('error', () => undefined);
      socket.once('data', () => {
        socket.write('$1000000000000\r\n');
        const chunk = Buffer.alloc(64 * 1024, 'x');
        const pump = () => {
          while (!socket.destroyed && socket.write(chunk)) written += chunk.length;
        };
        socket.on('drain', pump);
        pump();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const box = sandbox();
      const url = `redis://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const run = await cronwrap(['--name', 'r', '--lock-redis', url, '--', 'echo', 'not run'], box);
      expect(run.exitCode).toBe(0);
      expect(run.stderr.toString()).toMatch(/Redis sent more than 1 MiB; the connection was cut; the run is skipped/);
      expect(written).toBeLessThan(32 * 1024 * 1024); // what the kernel's buffers hold beyond the 1 MiB read
    } finally {
      server.close();
    }
  });
});
