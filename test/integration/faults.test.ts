import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { readHistory } from '../../src/state/history.js';
import { main } from '../../src/main.js';
import { fnv1a } from '../../src/util/hash.js';
import { memoryIo } from '../helpers/memory-io.js';
import { BIN, FIXTURES, cronwrap, cronwrapProcess, orphanedLockHolder, sandbox, scriptFile, waitFor, waitForOutput, type Sandbox } from '../helpers/cronwrap.js';
import { alive, handlesAndWaits, killQuietly, signalTaken } from '../helpers/processes.js';
import { footer, parseLog, reassemble } from '../helpers/records.js';
import { startHttp } from '../helpers/servers.js';

// The Reliability issue: each test here reproduced a broken promise on the main of 2026-11-23.

describe('a -- with no command after it', () => {
  it('is a usage error in every mode, never a silent filter run on empty stdin', async () => {
    const box = sandbox();
    for (const args of [['--name', 'x', '--'], ['--']]) {
      const result = await cronwrap(args, box, { input: '' });
      expect(result.exitCode, args.join(' ')).toBe(125);
      expect(result.stderr.toString()).toMatch(/^cronwrap: nothing to run after --: give the command after it/);
    }
    // Without --, piped input is still filter mode.
    const filtered = await cronwrap(['--timestamp', 'epoch'], box, { input: 'line\n' });
    expect(filtered.exitCode).toBe(0);
    expect(filtered.stdout.toString()).toMatch(/^\d+\.\d{3} out\| line\n$/);
  });
});

describe('config keys that are not what they seem', () => {
  it('a key that would be a broken regular expression: the job runs, config check names the line and exits 78', async () => {
    const box = sandbox();
    writeFileSync(box.env.CRONWRAP_CONFIG!, 'retries = 1\n"a(" = 1\nretry_delay = "10ms"\n[jobs.x]\n"b[" = 2\n');
    const run = await cronwrap(['--name', 'x', '--', 'sh', '-c', 'exit 4'], box);
    expect(run.exitCode).toBe(4);
    expect(run.stderr.toString()).toMatch(/cronwrap\.toml:2: unknown key 'a\('/);
    expect(run.stderr.toString()).toMatch(/cronwrap\.toml:5: unknown key 'b\['/);
    expect(footer(parseLog(box.logOf('x')))).toMatchObject({ exit: '4', attempts: '2' }); // retries = 1 still applied
    const check = await cronwrap(['config', 'check'], box);
    expect(check.exitCode).toBe(78);
    expect(check.stderr.toString()).toMatch(/:2: unknown key 'a\('/);
  });

  it('20,000 unknown keys cost well under a second, and the report is capped', async () => {
    const box = sandbox();
    const keys = Array.from({ length: 20_000 }, (_, i) => `unknown_key_${i} = ${i}`).join('\n');
    writeFileSync(box.env.CRONWRAP_CONFIG!, `${keys}\n`);
    const started = Date.now();
    const check = await cronwrap(['config', 'check'], box);
    expect(Date.now() - started).toBeLessThan(20_000); // a loaded 2-core machine; it took 78 s before
    expect(check.exitCode).toBe(78);
    const lines = check.stderr.toString().trimEnd().split('\n');
    expect(lines.length).toBeLessThanOrEqual(21);
    expect(lines.at(-1)).toMatch(/and 19,980 more problems/);
    expect(lines[0]).toMatch(/:1: unknown key 'unknown_key_0'/);
  });

  it('a file over the size cap is refused as a whole, named, and the job runs', async () => {
    const box = sandbox();
    writeFileSync(box.env.CRONWRAP_CONFIG!, `# ${'x'.repeat(2 * 1024 * 1024)}\nretries = 1\n`);
    const run = await cronwrap(['--name', 'big', '--', 'true'], box);
    expect(run.exitCode).toBe(0);
    expect(run.stderr.toString()).toMatch(/cronwrap\.toml: the config file is over 1 MiB; not read/);
  });
});

describe('durations the clock cannot hold', () => {
  it.each([
    [['--timeout', '25d']],
    [['--kill-after', '30d']],
    [['--retry-delay', '40d']],
  ])('%j is refused with the limit, never a timer that fires at once', async (flags) => {
    const box = sandbox();
    const result = await cronwrap([...flags, '--', 'true'], box);
    expect(result.exitCode).toBe(125);
    expect(result.stderr.toString()).toMatch(/is longer than cronwrap can time \(at most 24d\)/);
  });

  it('the same in the config file: config check refuses it', async () => {
    const box = sandbox();
    writeFileSync(box.env.CRONWRAP_CONFIG!, 'timeout = "30d"\n');
    const check = await cronwrap(['config', 'check'], box);
    expect(check.exitCode).toBe(78);
    expect(check.stderr.toString()).toMatch(/:1: timeout: '30d' is longer than cronwrap can time/);
    const run = await cronwrap(['--name', 'long', '--', 'sleep', '0.3'], box);
    expect(run.exitCode).toBe(0); // the bad entry is skipped: no timeout fires at once
  });
});

describe('exec failures are outcomes', () => {
  it('an argument list too long (E2BIG) is exit 126 with the reason, footer and history written', async () => {
    const box = sandbox();
    // Each argument fits exec's 128 KiB limit; --pty joins them into one string for script(1), which does not.
    const half = 'x'.repeat(70 * 1024);
    const result = await cronwrap(['--name', 'big', '--pty', '--', 'echo', half, half], box);
    expect(result.exitCode).toBe(126);
    expect(result.stderr.toString()).not.toMatch(/internal error/);
    expect(footer(parseLog(box.logOf('big')))).toMatchObject({ exit: '126', status: expect.stringMatching(/E2BIG/) });
    expect(readHistory(box.stateDir, 'big')).toMatchObject([{ exit: 126 }]);
  });

  it('a script whose #! interpreter is missing names the interpreter', async () => {
    const box = sandbox();
    const script = scriptFile(box, '#!/nonexistent/bin/interpreter -x\necho hi\n');
    const result = await cronwrap(['--name', 'interp', '--', script], box);
    expect(result.exitCode).toBe(127);
    expect(footer(parseLog(box.logOf('interp'))).status).toMatch(/interpreter \/nonexistent\/bin\/interpreter .*not found/);
  });
});

describe('paths that would hang cronwrap', () => {
  it.each([
    ['--log-dir under /proc', (box: Sandbox) => ({ CRONWRAP_LOG_DIR: join('/proc', `cronwrap-test-${process.pid}`, 'logs') }), 'log'],
    ['--state-dir under /proc', (box: Sandbox) => ({ CRONWRAP_STATE_DIR: join('/proc', `cronwrap-test-${process.pid}`, 'state'), CRONWRAP_LOG_DIR: box.logDir }), 'history'],
  ] as const)('%s: ends in bounded time with the job\'s status, saying why', async (_name, env, what) => {
    const box = sandbox();
    const started = Date.now();
    const result = await cronwrap(['--name', 'proc', '--lock', '--', 'sh', '-c', 'echo kept; exit 5'], box, { env: env(box), timeout: 20_000 });
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(result.exitCode).toBe(5);
    if (what === 'log') expect(result.stderr.toString()).toMatch(/cannot open .*proc.*: ENOENT; the output goes to stderr instead[\s\S]*out\| kept/);
    else expect(result.stderr.toString()).toMatch(/cannot record the run in \/proc\/.*: ENOENT/);
  });

  it('a FIFO where the log should be: the output goes to stderr with the reason, in bounded time', async () => {
    const box = sandbox();
    const fifo = join(box.dir, 'job.log');
    execFileSync('mkfifo', [fifo]);
    const result = await cronwrap(['--log', fifo, '--', 'sh', '-c', 'echo to-stderr; exit 6'], box, { timeout: 20_000 });
    expect(result.exitCode).toBe(6);
    expect(result.stderr.toString()).toMatch(/cannot open .*job\.log: not a regular file \(a FIFO\); the output goes to stderr instead/);
    expect(result.stderr.toString()).toMatch(/out\| to-stderr/);
  });
});

describe('damaged state files', () => {
  it('a damaged file of every kind: the job\'s exit status, footer and history survive; each file is moved aside and named once', async () => {
    const box = sandbox();
    const hook = await startHttp();
    const url = `${hook.url}/hook`;
    const job = 'damaged';
    const plant = (path: string, text: string) => {
      mkdirSync(join(box.stateDir, path, '..'), { recursive: true });
      writeFileSync(join(box.stateDir, path), text);
    };
    const webhookSpool = `spool/webhook-${fnv1a(url).toString(16).padStart(8, '0')}`;
    plant(`${webhookSpool}/000000000000001-old-failure-send.json`, '{"channel":"email","keptAt":"x"}\n'); // valid JSON, wrong shape
    plant(`${webhookSpool}/000000000000002-old-failure-send.json`, '{"chan'); // not JSON
    plant(`alerts/${job}.json`, '{"failures":"many","alerted":1}\n');
    plant(`metrics/${job}.json`, '[1,2,3]\n');
    plant(`history/${job}.jsonl`, 'not json\n{"job":"damaged","run":7}\n');
    plant(`locks/jobs/${job}.lock`, 'garbage\n');
    const args = ['--name', job, '--lock', '--webhook', url, '--metrics-dir', join(box.dir, 'prom'), '--', 'sh', '-c', 'echo out; exit 3'];

    const first = await cronwrap(args, box);
    expect(first.exitCode).toBe(3);
    expect(first.stderr.toString()).not.toMatch(/internal error/);
    const log = parseLog(box.logOf(job));
    expect(footer(log)).toMatchObject({ exit: '3', status: 'failed with exit status 3' });
    expect(hook.requests.map((r) => JSON.parse(r.body).exit)).toEqual([3]); // the new alert went out
    for (const damaged of [`${webhookSpool}/000000000000001-old-failure-send.json`, `${webhookSpool}/000000000000002-old-failure-send.json`, `alerts/${job}.json`, `metrics/${job}.json`]) {
      const name = damaged.split('/').at(-1)!;
      expect(first.stderr.toString(), damaged).toMatch(new RegExp(`${name.replace(/\./g, '\\.')} is damaged .*moved aside to ${name.replace(/\./g, '\\.')}\\.damaged-`));
      expect(readdirSync(join(box.stateDir, damaged, '..')).some((f) => f.startsWith(`${name}.damaged-`)), damaged).toBe(true);
    }
    expect(footer(log).alerts_problem).toMatch(/damaged/);
    expect(footer(log).metrics_problem).toMatch(/damaged/);
    expect(readFileSync(join(box.dir, 'prom', `cronwrap_${job}.prom`), 'utf8')).toMatch(/^cronwrap_runs_total\{cron_job="damaged"\} 1$/m);

    // The next run: nothing left to report, and the history reads past its damaged lines.
    const second = await cronwrap(args, box);
    expect(second.exitCode).toBe(3);
    expect(second.stderr.toString()).not.toMatch(/damaged/);
    const history = await cronwrap(['history', job, '--json'], box);
    expect(history.exitCode).toBe(0);
    expect(JSON.parse(history.stdout.toString())).toMatchObject([{ exit: 3 }, { exit: 3 }]);
    expect(history.stderr.toString()).toMatch(/history\/damaged\.jsonl: 2 damaged lines skipped/);
    const status = await cronwrap(['status'], box);
    expect(status.stdout.toString()).toMatch(/^damaged +\S+ +exit 3 +\S+ +never +2 /m);
  });

  it('a state file cron cannot read is not taken for a fresh one: it says so', async () => {
    const box = sandbox();
    mkdirSync(join(box.stateDir, 'alerts'), { recursive: true });
    mkdirSync(join(box.stateDir, 'alerts', 'unreadable.json')); // EISDIR, as root cannot be refused EACCES
    const hook = await startHttp();
    const result = await cronwrap(['--name', 'unreadable', '--webhook', hook.url, '--', 'false'], box);
    expect(result.exitCode).toBe(1);
    expect(result.stderr.toString()).toMatch(/cronwrap: alerts: cannot read .*alerts\/unreadable\.json: EISDIR/);
    expect(hook.requests).toHaveLength(1); // the alert still goes out
  });
});

describe('whole records on a log a full disk cut', () => {
  it('a log whose last record was cut short: the next run starts on a fresh line', async () => {
    const box = sandbox();
    const path = join(box.dir, 'job.log');
    writeFileSync(path, '2026-11-23T04:21:28.5'); // what a full file system left of a record
    const result = await cronwrap(['--log', path, '--', 'echo', 'next'], box);
    expect(result.exitCode).toBe(0);
    const text = readFileSync(path, 'utf8');
    expect(text).toMatch(/^2026-11-23T04:21:28\.5\n\S+ === start /);
    expect(parseLog(Buffer.from(text.slice(text.indexOf('\n') + 1))).meta.map((m) => m.event)).toEqual(['start', 'end']);
  });

  it('a file size limit that cuts a write short: what was written ends on a newline or not at all, the rest goes to stderr', async () => {
    const box = sandbox();
    const path = join(box.dir, 'limited.log');
    // ulimit -f counts 512-byte blocks: 2 blocks, far less than the output.
    const run = spawnSync('sh', ['-c', `ulimit -f 2; trap '' XFSZ; exec "$@"`, 'sh', BIN, '--log', path, '--', 'seq', '1', '2000'], { env: box.env, encoding: 'utf8' });
    expect(run.status).toBe(0);
    expect(run.stderr).toMatch(/short write to .*limited\.log/);
    expect(run.stderr).toMatch(/out\| 2000\n/); // what the log could not take went to stderr
    const logged = readFileSync(path);
    expect(logged.length).toBeLessThanOrEqual(1024);
    expect(logged.at(-1)).toBe(0x0a);
  });
});

describe('what alerts carry of the output', () => {
  it('control bytes from the job (OSC 52, ESC[2J, NUL, BEL) are shown escaped in alerts and the cron report; a line rewritten with CR in its last state', async () => {
    const box = sandbox();
    const hook = await startHttp();
    const nasty = "printf 'copy\\033]52;c;SGVsbG8=\\007 clear\\033[2J nul\\000 bell\\007\\ncr\\rback\\n'; exit 2";
    const withHook = await cronwrap(['--name', 'ctl', '--webhook', hook.url, '-c', nasty], box);
    expect(withHook.exitCode).toBe(2);
    const tail = (JSON.parse(hook.requests[0]!.body) as { output: { tail: string[] } }).output.tail.join('\n');
    expect(tail).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f]/);
    expect(tail).toContain('copy\\x1b]52;c;SGVsbG8=\\x07 clear\\x1b[2J nul\\x00 bell\\x07\n');
    expect(tail).toMatch(/ out\| back$/);
    const report = await cronwrap(['--name', 'ctl2', '-c', nasty], box);
    expect(report.stdout.toString()).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f]/);
    expect(report.stdout.toString()).toContain('clear\\x1b[2J');
    // The log keeps the exact bytes (nothing lost there).
    expect(box.logOf('ctl2').includes(Buffer.from('\x1b[2J'))).toBe(true);
  });

  it('a stream of exactly 64 KiB with no final newline ends on a ! record, as at any other length', async () => {
    const box = sandbox();
    const result = await cronwrap(['--name', 'exact', '-c', "head -c 65536 /dev/zero | tr '\\0' x"], box);
    expect(result.exitCode).toBe(0);
    const records = parseLog(box.logOf('exact')).records.filter((r) => r.stream === 'out');
    expect(records.map((r) => r.flag)).toEqual(['!']);
    expect(reassemble(records, 'out').length).toBe(65536);
  });
});

describe('values that do not come from the command line', () => {
  it('a bad CRONWRAP_* value warns and falls back, as a bad config entry does; the same value as a flag is refused', async () => {
    const box = sandbox();
    writeFileSync(box.env.CRONWRAP_CONFIG!, 'retries = 1\nretry_delay = "10ms"\n');
    const env = { CRONWRAP_RETRIES: 'many', CRONWRAP_QUIET: 'maybe' };
    const run = await cronwrap(['--name', 'envbad', '--', 'sh', '-c', 'exit 3'], box, { env });
    expect(run.exitCode).toBe(3); // the job ran
    expect(run.stderr.toString()).toMatch(/^cronwrap: config: CRONWRAP_RETRIES: 'many' is not a whole number from 0 to 100 \(ignored/m);
    expect(run.stderr.toString()).toMatch(/^cronwrap: config: CRONWRAP_QUIET: 'maybe' is not a yes\/no value/m);
    expect(footer(parseLog(box.logOf('envbad')))).toMatchObject({ attempts: '2' }); // the file's retries = 1 applies
    const flag = await cronwrap(['--retries', 'many', '--', 'true'], box);
    expect(flag.exitCode).toBe(125);
  });
});

describe('kept alerts', () => {
  const notice = (job: string, id: string) => ({
    id, kind: 'failure', job, host: 'h', user: 'u', run: id, command: ['x'], start: '2026-11-20T00:00:00.000Z', end: '2026-11-20T00:00:01.000Z',
    durationMs: 1000, exitCode: 1, status: 'failed with exit status 1', signal: null, timedOut: false, attempts: 1, consecutiveFailures: 1,
    logPath: '/x.log', head: [], tail: [], totalLines: 0,
  });
  /** Plants kept webhook alerts for `url`, as an earlier run would have left them. */
  function plantKept(box: Sandbox, url: string, jobs: { job: string; keptAt: Date }[]): string {
    const dir = join(box.stateDir, 'spool', `webhook-${fnv1a(url).toString(16).padStart(8, '0')}`);
    mkdirSync(dir, { recursive: true });
    jobs.forEach(({ job, keptAt }, i) => {
      const id = `old${i}`;
      const alert = { channel: `webhook-${fnv1a(url).toString(16).padStart(8, '0')}`, notice: notice(job, id), keptAt: keptAt.toISOString() };
      writeFileSync(join(dir, `${String(keptAt.getTime() + i).padStart(15, '0')}-${id}-failure-send.json`), JSON.stringify(alert));
    });
    return dir;
  }

  it('one alert the server always refuses does not hold back newer alerts on its channel', async () => {
    const box = sandbox();
    const hook = await startHttp((request, res) => (request.body.includes('"job":"poison"') ? res.socket?.destroy() : res.end('ok')));
    const url = `${hook.url}/hook`;
    const dir = plantKept(box, url, [{ job: 'poison', keptAt: new Date() }]);
    const result = await cronwrap(['--name', 'fresh', '--webhook', url, '--', 'false'], box);
    expect(result.exitCode).toBe(1);
    const delivered = hook.requests.map((r) => JSON.parse(r.body).job);
    expect(delivered).toContain('fresh');
    expect(footer(parseLog(box.logOf('fresh'))).notifications).toMatch(/failure: ok/);
    expect(readdirSync(dir)).toHaveLength(1); // the poison alert is still kept, tried again next time
  });

  it('at most 100 kept per channel and none older than 7 days; the oldest are dropped and said', async () => {
    const box = sandbox();
    const hook = await startHttp((_request, res) => {
      res.statusCode = 503;
      res.end('down');
    });
    const url = `${hook.url}/hook`;
    const old = new Date(Date.now() - 8 * 24 * 3600 * 1000);
    const dir = plantKept(box, url, [...Array.from({ length: 10 }, () => ({ job: 'ancient', keptAt: old })), ...Array.from({ length: 120 }, () => ({ job: 'recent', keptAt: new Date() }))]);
    const result = await cronwrap(['--name', 'bounded', '--webhook', url, '--', 'false'], box, { timeout: 120_000 });
    expect(result.exitCode).toBe(1);
    expect(result.stderr.toString()).toMatch(/dropped 31 kept alerts of webhook-[0-9a-f]{8} \(10 older than 7 days, 21 over the 100 a channel keeps\)/);
    expect(readdirSync(dir).filter((f) => f.endsWith('.json')).length).toBeLessThanOrEqual(100);
  }, 150_000);

  it('flush says which kept alerts wait for a channel that is not configured, and exits 1 while any remain', async () => {
    const box = sandbox();
    const url = 'http://127.0.0.1:9/hook';
    plantKept(box, url, [{ job: 'waiting', keptAt: new Date() }]);
    const flush = await cronwrap(['flush'], box);
    expect(flush.exitCode).toBe(1);
    expect(flush.stdout.toString()).toMatch(/1 kept alert for webhook-[0-9a-f]{8} waits: that channel is not configured now/);
  });
});

describe('smaller promise breaks', () => {
  it('--mail-to takes a local name, as cron\'s MAILTO does', async () => {
    const box = sandbox();
    const result = await cronwrap(['config', 'show', '--name', 'x'], box, { env: { CRONWRAP_MAIL_TO: 'root' } });
    expect(result.stdout.toString()).toMatch(/^mail_to = \["root"\]/m);
    expect((await cronwrap(['--mail-to', 'root, ops@example.com', '--', 'true'], box)).exitCode).toBe(0);
  });

  it('--tee with --quiet is refused, not silently one of them', async () => {
    const result = await cronwrap(['--tee', '--quiet', '--', 'true'], sandbox());
    expect(result.exitCode).toBe(125);
    expect(result.stderr.toString()).toMatch(/--tee and --quiet ask for opposite things; give one/);
  });

  it.skipIf(existsSync('/etc/cronwrap/cronwrap.toml'))('config check with no config file says the built-in defaults apply', async () => {
    const box = sandbox();
    const env: Record<string, string> = { ...box.env };
    delete env.CRONWRAP_CONFIG;
    const result = spawnSync(BIN, ['config', 'check'], { env, encoding: 'utf8' });
    expect(result.status).toBe(0);
    expect(result.stdout).toBe('/etc/cronwrap/cronwrap.toml: not found; the built-in defaults apply\n');
    const missing = await cronwrap(['config', 'check', '--config', '/nonexistent/cronwrap.toml'], sandbox());
    expect(missing.exitCode).toBe(78);
  });

  it('words: no "(exit 0) (exit 0)", no "all 1 lines", no "the command killed", no "0h"', async () => {
    const box = sandbox();
    const hook = await startHttp();
    await cronwrap(['--name', 'words', '--notify-success', '--webhook', hook.url, '--webhook-format', 'slack', '--', 'echo', 'one'], box);
    const interrupted = cronwrapProcess(['--name', 'stopped', '--', 'sh', '-c', 'trap "kill -9 $$" TERM; echo ready; sleep 30'], box);
    // The job's line, not the start record (which quotes the command): only then is its trap set.
    await waitForOutput(box, 'stopped', 'out| ready');
    interrupted.kill('SIGTERM');
    await interrupted;
    expect(footer(parseLog(box.logOf('stopped'))).status).toMatch(/^stopped because cronwrap got SIGTERM; the command was killed by signal SIGKILL/);
    const show = await cronwrap(['config', 'show'], box);
    expect(show.stdout.toString()).toMatch(/^lock_wait = "0s"/m);
    const test = await cronwrap(['test-alert', '--webhook', hook.url], box);
    expect(test.exitCode).toBe(0);
    const mailBody = (await import('../../src/notify/notice.js')).bodyOf({
      id: 'i', kind: 'success', job: 'j', host: 'h', user: 'u', run: 'r', command: ['true'], start: 's', end: 'e', durationMs: 5, exitCode: 0,
      status: 'succeeded (exit 0)', signal: null, timedOut: false, attempts: 1, consecutiveFailures: 0, logPath: '/l', head: ['x'], tail: ['x'], totalLines: 1,
    });
    expect(mailBody).toContain('status:   succeeded (exit 0)\n');
    expect(mailBody).toContain('the only line of output:\n');
  });

  it('two webhooks on one host are told apart in test-alert and the footer', async () => {
    const box = sandbox();
    const hook = await startHttp();
    const result = await cronwrap(['test-alert', '--webhook', `${hook.url}/a`, '--webhook', `${hook.url}/b`], box);
    const lines = result.stdout.toString().trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(new Set(lines).size).toBe(2);
  });

  it('tail -f before the first run waits for the log, as tail -F does', async () => {
    const box = sandbox();
    const tail = cronwrapProcess(['tail', '-f', 'later'], box);
    // It has looked for the log (just after it set up its signal handling) and now sleeps until it looks again.
    await waitFor(() => handlesAndWaits(tail.pid!, 'SIGHUP'));
    expect(tail.exitCode).toBeNull(); // still waiting, not failed
    await cronwrap(['--name', 'later', '--', 'echo', 'arrived'], box);
    await waitFor(() => tail.stdoutText().includes('out| arrived'));
    tail.kill('SIGTERM');
    expect((await tail).exitCode).toBe(0);
  });

  it('the help of subcommands names cronwrap, states each default once, and config --help works', async () => {
    const box = sandbox();
    const history = await cronwrap(['history', '--help'], box);
    expect(history.stdout.toString()).toMatch(/^Usage: cronwrap history/m);
    expect(history.stdout.toString()).not.toMatch(/\(default 20\) \(default: 20\)/);
    const config = await cronwrap(['config', '--help'], box);
    expect(config.exitCode).toBe(0);
    expect(config.stdout.toString()).toMatch(/config check[\s\S]*config show/);
  });

  it('a state dir cronwrap makes for a user is 0700, as the README says', async () => {
    const box = sandbox();
    const stateDir = join(box.dir, 'fresh-state');
    const env: Record<string, string> = { ...box.env, CRONWRAP_STATE_DIR: stateDir };
    delete env.CRONWRAP_LOG_DIR; // a user's log goes to <state dir>/logs, which made the state dir 0750
    // In-process as a user (uid 1000), whoever runs the tests.
    expect(await main(['--name', 'mode', '--', 'true'], memoryIo(env, { uid: 1000 }))).toBe(0);
    expect(existsSync(join(stateDir, 'logs', 'mode.log'))).toBe(true);
    expect(statSync(stateDir).mode & 0o777).toBe(0o700);
    expect(statSync(join(stateDir, 'logs')).mode & 0o777).toBe(0o750);
  });
});

describe('filter mode', () => {
  it.each([['--timeout', '5s'], ['--retries', '2'], ['--lock'], ['--webhook', 'http://127.0.0.1:9/x']])('refuses %s, which only a wrapped command can honour', async (...flag) => {
    const result = await cronwrap([...flag], sandbox(), { input: 'line\n' });
    expect(result.exitCode).toBe(125);
    expect(result.stderr.toString()).toMatch(new RegExp(`^cronwrap: ${flag[0]} does not apply to filter mode`));
  });

  it('still takes the options that shape its output', async () => {
    const box = sandbox();
    const result = await cronwrap(['--name', 'f', '--json', '--log', join(box.dir, 'f.log'), '--timestamp', 'epoch', '--quiet'], box, { input: 'line\n' });
    expect(result.exitCode).toBe(0);
    expect(readFileSync(join(box.dir, 'f.log'), 'utf8')).toMatch(/"line":"line"/);
  });
});

describe('signals while alerting', () => {
  it('SIGTERM after the job: a short grace, then the unsent alert is kept and cronwrap exits with the job\'s status', async () => {
    const box = sandbox();
    const hook = await startHttp(() => undefined); // never answers
    const run = cronwrapProcess(['--name', 'late', '--webhook', hook.url, '--', 'sh', '-c', 'exit 4'], box);
    await waitFor(() => hook.requests.length > 0);
    const signalled = Date.now();
    run.kill('SIGTERM');
    const result = await run;
    expect(Date.now() - signalled).toBeLessThan(8_000); // it went on for the whole 55 s budget before
    expect(result.exitCode).toBe(4);
    const spool = readdirSync(join(box.stateDir, 'spool')).flatMap((dir) => readdirSync(join(box.stateDir, 'spool', dir)));
    expect(spool.filter((f) => f.endsWith('.json'))).toHaveLength(1);
    expect(footer(parseLog(box.logOf('late'))).alerts_problem).toMatch(/cronwrap got SIGTERM/);
  });

  it('a second signal ends it at once', async () => {
    const box = sandbox();
    const hook = await startHttp(() => undefined);
    const run = cronwrapProcess(['--name', 'later', '--webhook', hook.url, '--', 'sh', '-c', 'exit 4'], box);
    await waitFor(() => hook.requests.length > 0);
    run.kill('SIGTERM');
    await waitFor(() => signalTaken(run.pid!, 'SIGTERM')); // else the two could reach it as one
    const second = Date.now();
    run.kill('SIGTERM');
    const result = await run;
    expect(Date.now() - second).toBeLessThan(2_500);
    expect(result.exitCode).toBe(4);
  });
});

describe('the host lock lives as long as the job', () => {
  it('SIGKILL the cronwrap that holds --lock: while its job runs on, the next run is skipped; once the job is gone, it runs', async () => {
    const box = sandbox();
    const jobPid = await orphanedLockHolder(box, 'locked');
    expect(alive(jobPid)).toBe(true); // the job lives on in its own process group
    try {
      const second = await cronwrap(['--name', 'locked', '--lock', '--', 'echo', 'second copy'], box);
      expect(second.exitCode).toBe(0);
      expect(box.logOf('locked').toString()).toMatch(/=== skip job=locked reason="another run of the job holds the lock"/);
      expect(box.logOf('locked').toString()).not.toMatch(/out\| second copy/);
    } finally {
      killQuietly(jobPid);
    }
    await waitFor(() => !alive(jobPid));
    const third = await cronwrap(['--name', 'locked', '--lock', '--', 'echo', 'third'], box);
    expect(third.exitCode).toBe(0);
    expect(box.logOf('locked').toString()).toMatch(/out\| third/);
  });
});

describe('a lock skip is not an alert storm', () => {
  it('one SKIPPED alert once 3 runs in a row found the lock busy, none per skip, and RECOVERED when the stuck run succeeds', async () => {
    const hook = await startHttp();
    const box = sandbox();
    const flag = join(box.dir, 'unstuck');
    const args = ['--name', 'stuck', '--lock', '--webhook', hook.url, '--'];
    const holder = cronwrapProcess([...args, 'sh', '-c', `echo holding; while [ ! -f ${flag} ]; do sleep 0.05; done`], box);
    await waitForOutput(box, 'stuck', 'out| holding');
    const kinds = () => hook.requests.map((r) => (JSON.parse(r.body) as { kind: string }).kind);
    for (const expected of [[], [], ['skipped'], ['skipped']]) {
      expect((await cronwrap([...args, 'true'], box)).exitCode).toBe(0);
      expect(kinds()).toEqual(expected);
    }
    expect(JSON.parse(hook.requests[0]!.body)).toMatchObject({ summary: expect.stringMatching(/^\[cronwrap\] stuck SKIPPED on .* \(3 runs in a row: another run of the job holds the lock/), consecutive_skips: 3 });
    writeFileSync(flag, '');
    expect((await holder).exitCode).toBe(0);
    expect(kinds()).toEqual(['skipped', 'recovery']);
  });
});

describe('time zones', () => {
  it.each(['CET-1CEST,M3.5.0,M10.5.0/3', 'IST-5:30'])('TZ=%s, which Node cannot use, is said on stderr instead of silently giving UTC', async (tz) => {
    const result = await cronwrap(['--name', 'tz', '--', 'true'], sandbox(), { env: { TZ: tz } });
    expect(result.exitCode).toBe(0);
    expect(result.stderr.toString()).toMatch(new RegExp(`^cronwrap: TZ='${tz.replace(/[.+]/g, '\\$&')}' is not a time zone cronwrap can use .*times are in UTC`, 'm'));
  });

  it.each(['Europe/Paris', 'UTC', ':Europe/Paris', ''])('TZ=%j is understood: nothing said', async (tz) => {
    const result = await cronwrap(['--name', 'tz', '--', 'true'], sandbox(), { env: { TZ: tz } });
    expect(result.stderr.toString()).toBe('');
  });
});

describe('the log follows its path', () => {
  it.each([
    ['renamed (a rename-style rotation)', (path: string) => renameSync(path, `${path}.1`)],
    ['removed', (path: string) => rmSync(path)],
  ] as const)('%s mid-run: the rest of the run goes to a new file at the path, after a === reopened record', async (_how, rotate) => {
    const box = sandbox();
    const path = join(box.logDir, 'moving.log');
    const flag = join(box.dir, 'rotated');
    // The job waits for the rotation, then over a second (cronwrap looks at the path at most once a second).
    const script = `echo before; while [ ! -f ${flag} ]; do sleep 0.02; done; sleep 1.2; echo after`;
    const run = cronwrapProcess(['--name', 'moving', '-c', script], box);
    await waitForOutput(box, 'moving', 'out| before');
    rotate(path);
    writeFileSync(flag, '');
    expect((await run).exitCode).toBe(0);
    const now = parseLog(readFileSync(path));
    expect(now.meta.map((m) => m.event)).toEqual(['reopened', 'end']);
    expect(reassemble(now.records, 'out').toString()).toBe('after\n');
  });
});

describe('a terminal that hangs up', () => {
  // Node restores the terminal's modes at exit and aborted (SIGABRT) when the terminal was gone.
  it.each([[[]], [['--pty']]])('cronwrap %j on it ends with the job status and its footer, not SIGABRT', async (extra) => {
    const box = sandbox();
    const args = ['--name', 'hangup', ...extra, '--kill-after', '1s', '--', 'sh', '-c', 'echo ready; sleep 30'];
    const result = await execa('python3', [join(FIXTURES, 'hang-up.py'), 'ready', BIN, ...args], { env: box.env, extendEnv: false, reject: false });
    expect(result.stdout).toBe('exit 129');
    expect(footer(parseLog(box.logOf('hangup')))).toMatchObject({ exit: '129' });
    expect(footer(parseLog(box.logOf('hangup'))).status).toMatch(/^stopped because cronwrap got SIGHUP/);
  });
});
