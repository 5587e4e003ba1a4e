import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, cronwrap, sandbox, untilLogged } from '../helpers/cronwrap.js';
import { footer, parseLog, reassemble } from '../helpers/records.js';

const thirtyLines = 'for i in $(seq 1 30); do echo "line $i"; done';

describe('under cron (stdout is not a terminal)', () => {
  it('prints nothing when the job succeeds', async () => {
    const box = sandbox();
    const result = await cronwrap(['--name', 'quiet', '-c', `${thirtyLines}; echo warn >&2`], box);
    expect(result.exitCode).toBe(0);
    expect(result.stdout.length).toBe(0);
    expect(result.stderr.length).toBe(0);
  });

  it('prints a short report on stdout when it fails, with the last 20 lines', async () => {
    const box = sandbox();
    const result = await cronwrap(['--name', 'nightly', '-c', `${thirtyLines}; exit 2`], box);
    expect(result.exitCode).toBe(2);
    const report = result.stdout.toString();
    expect(report).toMatch(/^cronwrap: job nightly FAILED on \S+/);
    expect(report).toContain(`command:  /bin/sh -c 'for i in`);
    expect(report).toMatch(/status: +failed with exit status 2 \(cronwrap exits 2\)/);
    expect(report).toMatch(/duration: +\d/);
    expect(report).toContain(`log:      ${join(box.logDir, 'nightly.log')}`);
    expect(report).toContain('last 20 lines of output:');
    expect(report).toMatch(/out\| line 11\n/);
    expect(report).toMatch(/out\| line 30\n/);
    expect(report).not.toMatch(/out\| line 10\n/);
  });

  it('says it in words when the job was killed by a signal', async () => {
    const box = sandbox();
    const result = await cronwrap(['--name', 'killed', '-c', 'kill -9 $$'], box);
    expect(result.stdout.toString()).toMatch(/status: +killed by signal SIGKILL \(9, killed\) \(cronwrap exits 137\)/);
  });

  it('--quiet prints nothing even on failure; the log still has everything', async () => {
    const box = sandbox();
    const result = await cronwrap(['--name', 'q', '--quiet', '-c', 'echo hidden; exit 1'], box);
    expect(result.exitCode).toBe(1);
    expect(result.stdout.length + result.stderr.length).toBe(0);
    expect(reassemble(parseLog(box.logOf('q')).records, 'out').toString()).toBe('hidden\n');
  });

  it('--tee prints the annotated lines as they come', async () => {
    const box = sandbox();
    const result = await cronwrap(['--name', 't', '--tee', '-c', 'echo shown; echo also >&2'], box);
    expect(result.exitCode).toBe(0);
    const shown = parseLog(result.stdout);
    expect(shown.meta).toEqual([]);
    expect(reassemble(shown.records, 'out').toString()).toBe('shown\n');
    expect(reassemble(shown.records, 'err').toString()).toBe('also\n');
  });
});

describe('on a terminal', () => {
  it('shows the annotated lines live and says on stderr when the job fails', () => {
    const box = sandbox();
    // script(1) gives cronwrap a real pseudo-terminal as stdout.
    const command = `${BIN} --name tty -- sh -c 'echo on-a-tty; exit 5'`;
    const run = spawnSync('script', ['-qec', command, '/dev/null'], { env: { ...box.env }, encoding: 'utf8' });
    expect(run.status).toBe(5);
    const transcript = run.stdout;
    expect(transcript).toMatch(/out\| on-a-tty\r?\n/);
    expect(transcript).toMatch(/cronwrap: job tty failed with exit status 5 after \S+; log: /);
    expect(transcript).not.toContain('last 20 lines');
  });
});

describe('filter mode', () => {
  it('annotates stdin to stdout: only the lines, no header or footer', async () => {
    const box = sandbox();
    const input = Buffer.from('alpha\nbeta\r\n\xff\x00gamma', 'latin1');
    const result = await cronwrap([], box, { input });
    expect(result.exitCode).toBe(0);
    const shown = parseLog(result.stdout);
    expect(shown.meta).toEqual([]);
    expect(shown.garbage).toEqual([]);
    expect(reassemble(shown.records, 'out').equals(input)).toBe(true);
    expect(shown.records.at(-1)?.flag).toBe('!');
  });

  it('also appends to --log, with a header and footer there', async () => {
    const box = sandbox();
    const path = join(box.dir, 'filter.log');
    const result = await cronwrap(['--log', path, '--name', 'pipe'], box, { input: 'one\ntwo\n' });
    expect(result.exitCode).toBe(0);
    const log = parseLog(readFileSync(path));
    expect(log.meta.map((m) => m.event)).toEqual(['start', 'end']);
    expect(log.meta[0]!.fields).toMatchObject({ job: 'pipe' });
    expect(footer(log)).toMatchObject({ stdin_lines: '2', stdin_bytes: '8', not_logged_bytes: '0' });
    expect(reassemble(log.records, 'out').toString()).toBe('one\ntwo\n');
    expect(reassemble(parseLog(result.stdout).records, 'out').toString()).toBe('one\ntwo\n');
  });

  it('--quiet with --log writes only the log', async () => {
    const box = sandbox();
    const path = join(box.dir, 'filter.log');
    const result = await cronwrap(['--log', path, '--quiet'], box, { input: 'x\n' });
    expect(result.stdout.length).toBe(0);
    expect(reassemble(parseLog(readFileSync(path)).records, 'out').toString()).toBe('x\n');
  });

  it('takes the ts/strftime formats of old crontabs: %.S with real microseconds, %b %d from a config file', async () => {
    const box = sandbox();
    const lines = Array.from({ length: 200 }, (_, i) => `line ${i}`).join('\n');
    const micro = await cronwrap(['-t', '%Y-%m-%d %H:%M:%.S'], box, { input: `${lines}\n` });
    const stamps = micro.stdout.toString().trimEnd().split('\n').map((line) => /^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}) out\| line \d+$/.exec(line)?.[1]);
    expect(stamps.every(Boolean)).toBe(true);
    writeFileSync(box.env.CRONWRAP_CONFIG!, 'timestamp = "%b %d %H:%M:%S"\n');
    expect((await cronwrap(['config', 'check'], box)).exitCode).toBe(0);
    const short = await cronwrap([], box, { input: 'x\n' });
    expect(short.stdout.toString()).toMatch(/^[A-Z][a-z]{2} \d\d \d\d:\d\d:\d\d out\| x\n$/);
  });

  it('writes JSON lines with --json', async () => {
    const box = sandbox();
    const result = await cronwrap(['--json', '--name', 'j'], box, { input: 'hello\n' });
    const record = JSON.parse(result.stdout.toString()) as Record<string, unknown>;
    expect(record).toMatchObject({ stream: 'out', line: 'hello', job: 'j' });
    expect(Object.keys(record)).toEqual(['ts', 'stream', 'line', 'job', 'run', 'host', 'v']);
    expect(record.v).toBe(2);
  });

  it.each(['elapsed', 'epoch', 'date', 'HH:mm:ss'])('--json -t %s: ts is still an RFC 3339 time for log shippers, the styled stamp beside it', async (style) => {
    const box = sandbox();
    const before = Date.now();
    await cronwrap(['--json', '-t', style, '--name', 'shipped', '--', 'sh', '-c', 'echo one; echo two >&2'], box);
    const records = box.logOf('shipped').toString().trimEnd().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(records.map((r) => r.stream)).toEqual(['meta', 'out', 'err', 'meta']);
    for (const record of records) {
      expect(record.ts).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}(Z|[+-]\d\d:\d\d)$/);
      expect(Date.parse(record.ts as string)).toBeGreaterThanOrEqual(before - 1);
      expect(typeof record.stamp).toBe('string');
      expect(record.stamp).not.toBe(record.ts);
    }
  });

  it('stops when stdout goes away, like ts(1) under `| head`, with status 141 (128 + SIGPIPE)', () => {
    const box = sandbox();
    const run = spawnSync('sh', ['-c', `(yes | ${BIN}; echo "status=$?" >&2) | head -n 3`], {
      env: { ...box.env },
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(run.stdout.split('\n').filter((l) => l.endsWith('out| y'))).toHaveLength(3);
    expect(run.stderr).toContain('status=141');
  });

  it('handles a large stream without holding it in memory', async () => {
    const box = sandbox();
    const file = join(box.dir, 'big');
    const line = `${'z'.repeat(99)}\n`;
    writeFileSync(file, line.repeat(300_000));
    const result = await cronwrap(['--timestamp', 'epoch'], box, { inputFile: file });
    const shown = parseLog(result.stdout);
    expect(shown.records).toHaveLength(300_000);
    expect(reassemble(shown.records, 'out').equals(readFileSync(file))).toBe(true);
  });
});

describe('timestamp formats, from the binary', () => {
  it.each([
    ['iso', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d\d:\d\d$/],
    ['utc', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/],
    ['date', /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) [ \d]\d \d\d:\d\d:\d\d P[DS]T \d{4}$/],
    ['epoch', /^\d{10}\.\d{3}$/],
    ['elapsed', /^00:00:0\d\.\d{3}$/],
    ['delta', /^00:00:0\d\.\d{3}$/],
    ['HH:mm:ss', /^\d\d:\d\d:\d\d$/],
  ])('%s', async (style, shape) => {
    const box = sandbox();
    const result = await cronwrap(['--name', 'ts', '--timestamp', style, '--', 'echo', 'x'], box, { env: { TZ: 'America/Los_Angeles' } });
    expect(result.exitCode).toBe(0);
    const [record] = parseLog(box.logOf('ts')).records;
    expect(record?.stamp).toMatch(shape);
  });

  it('iso is the default and is local time with the UTC offset', async () => {
    const box = sandbox();
    await cronwrap(['--name', 'tz', '--', 'echo', 'x'], box, { env: { TZ: 'Asia/Kolkata' } });
    expect(parseLog(box.logOf('tz')).records[0]?.stamp).toMatch(/\+05:30$/);
  });

  it('elapsed and delta measure time between lines', async () => {
    const box = sandbox();
    const seconds = (stamp: string) => Number(/^00:00:(\d\d\.\d{3})$/.exec(stamp)?.[1]);
    // b comes 1.2 s after a was logged: at least that between their stamps however late a is read (less a
    // millisecond of rounding), and at most the whole run.
    const run = async (job: string, style: string) => {
      const started = Date.now();
      await cronwrap(['--name', job, '--timestamp', style, '-c', `echo a; ${untilLogged(box, job, 'a')}; sleep 1.2; echo b`], box);
      const [a, b] = parseLog(box.logOf(job)).records.map((record) => seconds(record.stamp));
      return { a: a!, b: b!, took: (Date.now() - started) / 1000 };
    };
    const elapsed = await run('el', 'elapsed');
    expect(elapsed.b - elapsed.a).toBeGreaterThanOrEqual(1.199);
    expect(elapsed.b).toBeLessThanOrEqual(elapsed.took);
    const delta = await run('de', 'delta');
    expect(delta.b).toBeGreaterThanOrEqual(1.199);
    expect(delta.a + delta.b).toBeLessThanOrEqual(delta.took);
  });
});
