import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cronwrap, historyOf, sandbox, startCronwrap, waitFor, type Sandbox } from '../helpers/cronwrap.js';
import { has } from '../helpers/daemons.js';
import { footer, parseLog } from '../helpers/records.js';

// A real rsyslogd (Debian's rsyslog; .ci/run installs it) of the file's own, on a socket in a temporary
// directory, parsing what arrives with its regular parser chain (RFC 5424) and writing each message's
// fields as a JSON line.
const withRsyslog = has('rsyslogd') || process.env.CI ? describe : describe.skip;

interface Received {
  pri: string;
  app: string;
  procid: string;
  msgid: string;
  sd: string;
  host: string;
  msg: string;
}

/** `[id a="x" b="y\"z"]` → { a: 'x', b: 'y"z' }, undoing RFC 5424's escapes; the SD-ID is checked. */
function sdParams(sd: string): Record<string, string> {
  const element = /^\[cronwrap@32473((?: [a-z]+="(?:[^"\\\]]|\\["\\\]])*")*)\]$/.exec(sd);
  if (!element) throw new Error(`not one cronwrap@32473 element: ${sd}`);
  const params: Record<string, string> = {};
  for (const [, name, value] of element[1]!.matchAll(/ ([a-z]+)="((?:[^"\\\]]|\\["\\\]])*)"/g)) params[name!] = value!.replace(/\\(["\\\]])/g, '$1');
  return params;
}

let dir: string;
let socket: string;
let output: string;
let daemon: ChildProcess;

beforeAll(async () => {
  if (!has('rsyslogd')) return;
  dir = mkdtempSync(join(tmpdir(), 'cronwrap-rsyslog-'));
  socket = join(dir, 'log.sock');
  output = join(dir, 'received.jsonl');
  const fields = ['pri:pri-text', 'app:app-name', 'procid:procid', 'msgid:msgid', 'sd:structured-data', 'host:hostname', 'msg:msg'];
  const config = [
    `global(workDirectory="${dir}")`,
    'module(load="imuxsock" SysSock.Use="off")',
    // The regular parsers (RFC 5424) rather than imuxsock's special one for syslog(3)'s format; no rate limit.
    `input(type="imuxsock" Socket="${socket}" UseSpecialParser="off" ParseHostname="on" RateLimit.Interval="0")`,
    `template(name="fields" type="list" option.jsonf="on") {`,
    ...fields.map((field) => {
      const [out, name] = field.split(':');
      return `  property(outname="${out}" name="${name}" format="jsonf")`;
    }),
    '}',
    `*.* action(type="omfile" file="${output}" template="fields")`,
  ].join('\n');
  writeFileSync(join(dir, 'rsyslog.conf'), config);
  daemon = spawn('rsyslogd', ['-n', '-f', join(dir, 'rsyslog.conf'), '-i', join(dir, 'rsyslogd.pid')], { stdio: 'ignore' });
  await waitFor(() => existsSync(socket), 10_000);
});

afterAll(async () => {
  if (!daemon) return;
  const gone = new Promise((resolve) => daemon.once('exit', resolve));
  daemon.kill('SIGKILL');
  await gone;
  rmSync(dir, { recursive: true, force: true });
});

/** What rsyslogd wrote so far for one run (the run id is in every message's structured data). */
function receivedFor(run: string): (Received & { params: Record<string, string> })[] {
  if (!existsSync(output)) return [];
  return readFileSync(output, 'utf8')
    .split('\n')
    .filter((line) => line.includes(`run=\\"${run}\\"`))
    .map((line) => JSON.parse(line) as Received)
    .map((message) => ({ ...message, params: sdParams(message.sd) }));
}

/** The run's messages once its end record has arrived. */
async function arrived(box: Sandbox, job: string) {
  const run = String(historyOf(box.stateDir, job).at(-1)?.run);
  await waitFor(() => receivedFor(run).some((message) => message.msgid === 'end'));
  return { run, messages: receivedFor(run) };
}

withRsyslog('--syslog to a real rsyslogd (needs rsyslog)', () => {
  it('every record of a run arrives with its job, run id and stream, lines intact, severities by stream', async () => {
    const box = sandbox();
    const script = String.raw`echo 'plain'; echo 'quote " bracket ] backslash \ end'; echo 'ünïcødé ✓' >&2; printf 'no newline'; exit 3`;
    const result = await cronwrap(['--syslog', '--syslog-socket', socket, '--name', 'sys-all', '-q', '-c', script], box);
    expect(result.exitCode).toBe(3);
    expect(result.stderr.toString()).toBe('');
    const { run, messages } = await arrived(box, 'sys-all');
    // Across stdout and stderr the order of arrival cannot be known (two pipes): each stream's order is checked.
    expect(messages.at(0)?.msgid).toBe('start');
    expect(messages.at(-1)?.msgid).toBe('end');
    const kinds = new Set(messages.map((m) => `${m.msgid} ${m.pri} ${m.params.stream}`));
    expect([...kinds].sort()).toEqual(['end user.err meta', 'err user.notice err', 'out user.info out', 'start user.info meta']);
    expect(messages).toHaveLength(6);
    for (const message of messages) {
      expect(message.params.job).toBe('sys-all');
      expect(message.params.run).toBe(run);
      expect(message.app).toBe('cronwrap');
      expect(message.procid).toMatch(/^\d+$/);
    }
    const lines = (msgid: string) => messages.filter((m) => m.msgid === msgid).map((m) => m.msg);
    expect(lines('out')).toEqual(['plain', 'quote " bracket ] backslash \\ end', 'no newline']);
    expect(lines('err')).toEqual(['ünïcødé ✓']);
    expect(messages.find((m) => m.msg === 'no newline')?.params.eol).toBe('false');
    expect(lines('start')[0]).toMatch(new RegExp(`^=== start job=sys-all run=${run} `));
    expect(lines('end')[0]).toMatch(/ exit=3 /);
    expect(footer(parseLog(box.logOf('sys-all')))).not.toHaveProperty('syslog_problem');
  });

  it('a line longer than one message arrives in pieces of at most 4 KiB, cut between characters, that join back to it', async () => {
    const box = sandbox();
    const long = 'é'.repeat(5000) + 'x'.repeat(3000); // 13,000 bytes
    await cronwrap(['--syslog', '--syslog-socket', socket, '--name', 'sys-long', '-q', '--', 'printf', '%s\n%s\n', long, 'after'], box);
    const { messages } = await arrived(box, 'sys-long');
    const out = messages.filter((m) => m.msgid === 'out');
    expect(out.map((m) => m.params.cont)).toEqual(['true', 'true', 'true', undefined, undefined]);
    expect(out.every((m) => Buffer.byteLength(m.msg) <= 4096)).toBe(true);
    expect(out.slice(0, 4).map((m) => m.msg).join('')).toBe(long);
    expect(out[4]?.msg).toBe('after');
  });

  it('--syslog-facility and --syslog-tag; a skipped run and a warning have their own severities', async () => {
    const box = sandbox();
    await cronwrap(['--syslog', '--syslog-socket', socket, '--syslog-facility', 'local3', '--syslog-tag', 'nightly-backup', '--warn-exit', '2', '--name', 'sys-tag', '--', 'sh', '-c', 'echo hi; exit 2'], box);
    const { messages } = await arrived(box, 'sys-tag');
    expect(messages.map((m) => `${m.app} ${m.pri} ${m.msgid}`)).toEqual(['nightly-backup local3.info start', 'nightly-backup local3.info out', 'nightly-backup local3.warning end']);
    expect((await cronwrap(['pause', 'sys-tag', '--reason', 'maintenance'], box)).exitCode).toBe(0);
    await cronwrap(['--syslog', '--syslog-socket', socket, '--syslog-facility', 'local3', '--name', 'sys-tag', '--', 'echo', 'never'], box);
    const skipped = await arrived(box, 'sys-tag');
    expect(skipped.messages.map((m) => `${m.pri} ${m.msgid}`)).toEqual(['local3.info start', 'local3.notice skip', 'local3.notice end']);
    const kernel = await cronwrap(['--syslog', '--syslog-facility', 'kern', '--', 'true'], box);
    expect([kernel.exitCode, kernel.stderr.toString()]).toEqual([125, expect.stringMatching(/--syslog-facility.*'kern' is not one of user, mail/)]);
    const bad = await cronwrap(['--syslog', '--syslog-facility', 'kernel', '--', 'true'], box);
    expect(bad.exitCode).toBe(125);
    expect(bad.stderr.toString()).toMatch(/--syslog-facility.*'kernel' is not one of .*user.*cron/);
    const badTag = await cronwrap(['--syslog', '--syslog-tag', 'two words', '--', 'true'], box);
    expect(badTag.exitCode).toBe(125);
    expect(badTag.stderr.toString()).toMatch(/--syslog-tag: 'two words' cannot be a syslog tag/);
  });

  it('is set by the environment and by the config file too, and filter mode sends its records alike', async () => {
    const box = sandbox();
    // Perl's own variables in a crontab change nothing in the relay (a module it cannot load, UTF-8 layers).
    const perlEnv = { PERL5OPT: '-MNo::Such::Module', PERL_UNICODE: 'SD' };
    const fromEnv = await cronwrap(['--name', 'sys-env', '--', 'echo', 'from env ünï'], box, { env: { CRONWRAP_SYSLOG: '1', CRONWRAP_SYSLOG_SOCKET: socket, ...perlEnv } });
    expect(fromEnv.stderr.toString()).toBe('');
    expect((await arrived(box, 'sys-env')).messages.map((m) => m.msg)).toContain('from env ünï');
    writeFileSync(box.env.CRONWRAP_CONFIG!, `syslog = true\nsyslog_socket = "${socket}"\nsyslog_tag = "from-config"\n`);
    await cronwrap(['--name', 'sys-config', '--', 'echo', 'from config'], box);
    const fromConfig = (await arrived(box, 'sys-config')).messages;
    expect(fromConfig.map((m) => m.msg)).toContain('from config');
    expect(fromConfig[0]?.app).toBe('from-config');

    const filtered = await cronwrap(['--name', 'sys-filter', '--log', join(box.dir, 'filter.log')], box, { input: 'one\ntwo\n' });
    expect(filtered.exitCode).toBe(0);
    const run = /=== start job=sys-filter run=(\w+)/.exec(readFileSync(join(box.dir, 'filter.log'), 'utf8'))?.[1] ?? 'none';
    await waitFor(() => receivedFor(run).some((m) => m.msgid === 'end'));
    expect(receivedFor(run).map((m) => `${m.msgid} ${m.params.stream} ${m.msgid === 'out' ? m.msg : ''}`)).toEqual(['start meta ', 'out out one', 'out out two', 'end meta ']);
  });

  it('a stopped rsyslogd never holds the run: it ends with its exit status, the records not sent counted in the footer', async () => {
    const box = sandbox();
    daemon.kill('SIGSTOP');
    try {
      const job = startCronwrap(['--syslog', '--syslog-socket', socket, '--name', 'sys-stuck', '--', 'sh', '-c', 'seq 100000; exit 4'], box);
      const result = await job; // the condition: the run ends while syslog is stopped
      expect(result.exitCode).toBe(4);
      const end = footer(parseLog(box.logOf('sys-stuck')));
      expect(end.stdout_lines).toBe('100000');
      expect(end.syslog_problem).toMatch(/^up to \d+ of 100001 records not sent to .*log\.sock \(\d+ dropped: the relay to syslog fell behind; \d+ unconfirmed: no answer from syslog within 1000 ms\)$/);
      expect(Buffer.from(result.stderr as Uint8Array).toString()).toMatch(/^cronwrap: syslog: up to \d+ of 100001 records not sent/);
      expect(historyOf(box.stateDir, 'sys-stuck').at(-1)).toMatchObject({ exit: 4, problems: [expect.stringMatching(/^syslog: up to/)] });
    } finally {
      daemon.kill('SIGCONT');
    }
  });

  it('no socket: the run is ok, one stderr line and a footer note say so', async () => {
    const box = sandbox();
    const result = await cronwrap(['--syslog', '--syslog-socket', join(dir, 'missing.sock'), '--name', 'sys-none', '--', 'echo', 'fine'], box);
    expect(result.exitCode).toBe(0);
    expect(result.stderr.toString()).toBe(`cronwrap: syslog: 2 of 2 records not sent to ${join(dir, 'missing.sock')} (2 failed: No such file or directory)\n`);
    expect(footer(parseLog(box.logOf('sys-none'))).syslog_problem).toBe(`2 of 2 records not sent to ${join(dir, 'missing.sock')} (2 failed: No such file or directory)`);
    expect(historyOf(box.stateDir, 'sys-none').at(-1)).toMatchObject({ exit: 0, verdict: 'ok' });
  });

  it.skipIf(process.getuid?.() !== 0)("a socket another user owns gets none of root's records: said, the run ok (as root)", async () => {
    const box = sandbox();
    // A datagram socket bound by another user (nobody): what root sent there, that user would read.
    const theirs = join(dir, 'theirs.sock');
    const bound = spawnSync('perl', ['-MSocket', '-e', 'socket(my $s, AF_UNIX, SOCK_DGRAM, 0) or die; bind($s, pack_sockaddr_un($ARGV[0])) or die "$!"', theirs]);
    expect(bound.status).toBe(0);
    spawnSync('chown', ['65534', theirs]);
    const result = await cronwrap(['--syslog', '--syslog-socket', theirs, '--name', 'sys-theirs', '--', 'echo', 'root secret'], box);
    expect(result.exitCode).toBe(0);
    const problem = footer(parseLog(box.logOf('sys-theirs'))).syslog_problem;
    expect(problem).toMatch(new RegExp(`^up to 2 of 2 records not sent to ${theirs} \\(`));
    expect(problem).toContain(`not safe: ${theirs} is owned by nobody (uid 65534)`);
    // Root's own socket in a directory another user owns (and could swap it in) is refused alike, said once.
    const theirDir = join(dir, 'their-dir');
    spawnSync('mkdir', [theirDir]);
    const inTheirs = join(theirDir, 'root.sock');
    expect(spawnSync('perl', ['-MSocket', '-e', 'socket(my $s, AF_UNIX, SOCK_DGRAM, 0) or die; bind($s, pack_sockaddr_un($ARGV[0])) or die "$!"', inTheirs]).status).toBe(0);
    spawnSync('chown', ['65534', theirDir]);
    await cronwrap(['--syslog', '--syslog-socket', inTheirs, '--name', 'sys-their-dir', '--', 'echo', 'root secret'], box);
    expect(footer(parseLog(box.logOf('sys-their-dir'))).syslog_problem).toMatch(new RegExp(`; relay: not safe: ${theirDir} is owned by nobody \\(uid 65534\\)\\)$`));
  });
});

// journald's own binary, run as a namespace instance of its own (systemd-journald NAMESPACE): it needs no
// systemd as PID 1, listens on /run/systemd/journal.NAMESPACE/ and journalctl --namespace reads it back.
const JOURNALD = '/lib/systemd/systemd-journald';
const withJournald = existsSync(JOURNALD) || process.env.CI ? describe : describe.skip;

withJournald('--syslog-to journald (needs systemd-journald)', () => {
  it('every record becomes a journal entry with CRONWRAP_JOB, CRONWRAP_RUN, CRONWRAP_STREAM and the syslog fields', async () => {
    const namespace = `cronwrap-test-${process.pid}`;
    const machineId = readFileSync('/etc/machine-id', 'utf8').trim();
    const journald = spawn(JOURNALD, [namespace], { stdio: 'ignore' });
    const runtime = `/run/systemd/journal.${namespace}`;
    try {
      await waitFor(() => existsSync(join(runtime, 'socket')) && existsSync(join(runtime, 'dev-log')), 10_000);
      const box = sandbox();
      const args = ['--syslog', '--syslog-to', 'journald', '--syslog-socket', join(runtime, 'socket'), '--syslog-tag', 'nightly', '--name', 'jd-all'];
      const result = await cronwrap([...args, '-c', String.raw`echo 'quote " ] \ ünï'; echo oops >&2; exit 1`], box);
      expect(result.exitCode).toBe(1);
      const run = String(historyOf(box.stateDir, 'jd-all').at(-1)?.run);
      const entries = () => {
        const read = spawnSync('journalctl', [`--namespace=${namespace}`, '-o', 'json', '--no-pager', `CRONWRAP_RUN=${run}`], { encoding: 'utf8' });
        return read.stdout.split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, string>);
      };
      await waitFor(() => entries().some((entry) => entry.CRONWRAP_EVENT === 'end'));
      const got = entries().map((e) => [e.CRONWRAP_STREAM, e.CRONWRAP_EVENT ?? '', e.PRIORITY, e.SYSLOG_IDENTIFIER, e.SYSLOG_FACILITY, e.CRONWRAP_JOB, e.CRONWRAP_STREAM === 'meta' ? '' : e.MESSAGE]);
      expect(got.at(0)).toEqual(['meta', 'start', '6', 'nightly', '1', 'jd-all', '']);
      expect(got.at(-1)).toEqual(['meta', 'end', '3', 'nightly', '1', 'jd-all', '']);
      expect(got.slice(1, -1).sort()).toEqual([
        ['err', '', '5', 'nightly', '1', 'jd-all', 'oops'],
        ['out', '', '6', 'nightly', '1', 'jd-all', 'quote " ] \\ ünï'],
      ]);

      // What journald makes of the RFC 5424 messages on its /dev/log (the README says it): PRI becomes
      // PRIORITY and SYSLOG_FACILITY, and the rest, header and structured data, is all MESSAGE text.
      await cronwrap(['--syslog', '--syslog-socket', join(runtime, 'dev-log'), '--name', 'jd-dev-log', '--', 'echo', 'via dev-log'], box);
      const viaDevLog = String(historyOf(box.stateDir, 'jd-dev-log').at(-1)?.run);
      const syslogEntries = () =>
        spawnSync('journalctl', [`--namespace=${namespace}`, '-o', 'json', '--no-pager', '_TRANSPORT=syslog'], { encoding: 'utf8' })
          .stdout.split('\n')
          .filter((line) => line.includes(viaDevLog))
          .map((line) => JSON.parse(line) as Record<string, string>);
      await waitFor(() => syslogEntries().length === 3);
      const line = syslogEntries().find((entry) => entry.MESSAGE?.endsWith('via dev-log'));
      expect(line).toMatchObject({ PRIORITY: '6', SYSLOG_FACILITY: '1' });
      expect(line).not.toHaveProperty('SYSLOG_IDENTIFIER');
      expect(line).not.toHaveProperty('CRONWRAP_RUN');
      expect(line?.MESSAGE).toMatch(new RegExp(`^1 \\S+ \\S+ cronwrap \\d+ out \\[cronwrap@32473 job="jd-dev-log" run="${viaDevLog}" stream="out"\\] via dev-log$`));
    } finally {
      const gone = new Promise((resolve) => journald.once('exit', resolve));
      journald.kill('SIGKILL');
      await gone;
      rmSync(runtime, { recursive: true, force: true });
      rmSync(`/var/log/journal/${machineId}.${namespace}`, { recursive: true, force: true });
    }
  });
});
