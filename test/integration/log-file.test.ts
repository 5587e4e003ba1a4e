import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, FIXTURES, cronwrap, sandbox } from '../helpers/cronwrap.js';
import { footer, parseLog, reassemble } from '../helpers/records.js';

describe('log file', () => {
  it('has one header and one footer per run with the contract\'s fields', async () => {
    const box = sandbox();
    await cronwrap(['--name', 'twice', '--', 'echo', 'one'], box);
    await cronwrap(['--name', 'twice', '--', 'sh', '-c', 'echo two; echo oops >&2; exit 4'], box);
    const log = parseLog(box.logOf('twice'));
    expect(log.meta.map((m) => m.event)).toEqual(['start', 'end', 'start', 'end']);
    const [start, , , end] = log.meta.map((m) => m.fields);
    expect(Object.keys(start!)).toEqual(expect.arrayContaining(['job', 'run', 'host', 'user', 'pid', 'command', 'start']));
    expect(start).toMatchObject({ job: 'twice', command: '["echo","one"]' });
    expect(end).toMatchObject({
      job: 'twice',
      exit: '4',
      status: 'failed with exit status 4',
      timed_out: 'false',
      stdout_lines: '1',
      stdout_bytes: '4',
      stderr_lines: '1',
      stderr_bytes: '5',
      not_logged_bytes: '0',
    });
    expect(Object.keys(end!)).toEqual(expect.arrayContaining(['end', 'duration_ms', 'signal']));
    expect(log.meta[1]!.fields.run).toBe(start!.run);
    expect(end!.run).not.toBe(start!.run);
  });

  it('creates missing directories 0750 and the file 0640', async () => {
    const box = sandbox();
    const path = join(box.dir, 'deep', 'er', 'job.log');
    // A known umask: modes are what we ask for, less the umask.
    execFileSync('sh', ['-c', 'umask 022; exec "$@"', 'sh', join(__dirname, '../../bin/cronwrap'), '--log', path, '--', 'true'], { env: { ...box.env } });
    expect(statSync(join(box.dir, 'deep')).mode & 0o777).toBe(0o750);
    expect(statSync(join(box.dir, 'deep', 'er')).mode & 0o777).toBe(0o750);
    expect(statSync(path).mode & 0o777).toBe(0o640);
  });

  it('without --log, logs to <log-dir>/<job>.log', async () => {
    const box = sandbox();
    await cronwrap(['--', 'echo', 'hi'], box);
    expect(reassemble(parseLog(box.logOf('echo')).records, 'out').toString()).toBe('hi\n');
  });

  it('does not follow a symlink planted where the log should be', async () => {
    const box = sandbox();
    const target = join(box.dir, 'target');
    writeFileSync(target, 'precious\n');
    const { symlinkSync } = await import('node:fs');
    symlinkSync(target, join(box.dir, 'job.log'));
    const result = await cronwrap(['--log', join(box.dir, 'job.log'), '--', 'echo', 'hi'], box);
    expect(result.exitCode).toBe(0);
    expect(readFileSync(target, 'utf8')).toBe('precious\n');
    expect(result.stderr.toString()).toMatch(/cannot open .*job\.log: ELOOP/);
  });

  it('a log that cannot be opened sends the output to stderr and keeps the exit status', async () => {
    const box = sandbox();
    writeFileSync(join(box.dir, 'file'), '');
    const path = join(box.dir, 'file', 'job.log'); // a directory that cannot exist: its parent is a file
    const result = await cronwrap(['--name', 'nolog', '--log', path, '--', 'sh', '-c', 'echo out; echo err >&2; exit 3'], box);
    expect(result.exitCode).toBe(3);
    const stderr = result.stderr.toString();
    expect(stderr).toMatch(/cronwrap: cannot open .*job\.log: (ENOTDIR|EEXIST); the output goes to stderr instead/);
    const fallback = parseLog(result.stderr);
    expect(reassemble(fallback.records, 'out').toString()).toBe('out\n');
    expect(reassemble(fallback.records, 'err').toString()).toBe('err\n');
    expect(footer(fallback)).toMatchObject({ exit: '3', not_logged_reason: expect.stringMatching(/cannot open/) });
    expect(Number(footer(fallback).not_logged_bytes)).toBeGreaterThan(0);
    expect(result.stdout.toString()).toMatch(/log: .*not written/);
  });

  it('a log directory the user may not write to sends the output to stderr and keeps the exit status', () => {
    // Permissions mean nothing to root, so as root the job runs as `nobody` (setpriv, util-linux).
    const box = sandbox();
    const shared = join('/tmp', `cronwrap-perm-${process.pid}-${Date.now()}`);
    mkdirSync(join(shared, 'locked'), { recursive: true });
    chmodSync(shared, 0o755);
    chmodSync(join(shared, 'locked'), 0o555);
    // The single-file build, copied beside: nobody may not be able to enter the checkout (a clone in a 0700 dir).
    const binary = join(shared, 'cronwrap');
    copyFileSync(join(BIN, '..', '..', 'dist', 'cronwrap-standalone.cjs'), binary);
    chmodSync(binary, 0o755);
    try {
      const asNobody = process.getuid?.() === 0 ? ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', '--'] : [];
      const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', CRONWRAP_STATE_DIR: join(shared, 'state'), CRONWRAP_CONFIG: '/dev/null', HOME: shared };
      const argv = [...asNobody, process.execPath, binary, '--name', 'perm', '--log', join(shared, 'locked', 'sub', 'job.log'), '--', 'sh', '-c', 'echo kept; exit 6'];
      const run = spawnSync(argv[0]!, argv.slice(1), { env, encoding: 'buffer' });
      expect(run.status).toBe(6);
      expect(run.stderr.toString()).toMatch(/cronwrap: cannot open .*job\.log: EACCES; the output goes to stderr instead/);
      expect(reassemble(parseLog(run.stderr).records, 'out').toString()).toBe('kept\n');
      expect(run.stdout.toString()).toMatch(/status: +failed with exit status 6/);
    } finally {
      chmodSync(join(shared, 'locked'), 0o755);
      rmSync(shared, { recursive: true, force: true });
    }
  });

  it('a full disk (/dev/full) loses nothing: output on stderr, footer says how much was not logged', async () => {
    const box = sandbox();
    const result = await cronwrap(['--name', 'full', '--log', '/dev/full', '--', 'node', join(FIXTURES, 'numbered-lines.mjs'), '5000'], box);
    expect(result.exitCode).toBe(0);
    const fallback = parseLog(result.stderr);
    expect(fallback.records.filter((r) => r.stream === 'out')).toHaveLength(5000);
    expect(result.stderr.toString()).toMatch(/cronwrap: cannot write \/dev\/full: ENOSPC/);
    expect(result.stderr.toString()).toMatch(/cronwrap: \d+ bytes were not logged to \/dev\/full/);
  });

  it('two runs appending to one log at once never tear each other\'s lines', async () => {
    const box = sandbox();
    const path = join(box.dir, 'shared.log');
    const run = (tag: string) => cronwrap(['--log', path, '--', 'node', join(FIXTURES, 'numbered-lines.mjs'), '100000', tag], box);
    const results = await Promise.all([run('A'), run('B')]);
    expect(results.map((r) => r.exitCode)).toEqual([0, 0]);
    const log = parseLog(readFileSync(path));
    expect(log.garbage).toEqual([]);
    expect(log.meta).toHaveLength(4);
    for (const tag of ['A', 'B']) {
      for (const stream of ['out', 'err'] as const) {
        const lines = log.records.filter((r) => r.stream === stream && r.text[0] === tag.charCodeAt(0));
        expect(lines).toHaveLength(100_000);
        const pad = stream === 'out' ? 17 : 13;
        const mark = stream === 'out' ? 'o' : 'e';
        lines.forEach((r, n) => {
          if (r.text.toString() !== `${tag} ${stream} ${n} ${mark.repeat(n % pad)}`) throw new Error(`${tag} ${stream} ${n}: ${r.text.toString()}`);
        });
      }
    }
  });
});

describe('history', () => {
  it('appends one JSON line per wrapped run to <state>/history/<job>.jsonl, mode 0600', async () => {
    const box = sandbox();
    await cronwrap(['--name', 'hist', '--', 'true'], box);
    await cronwrap(['--name', 'hist', '-c', 'kill -9 $$'], box);
    const path = join(box.stateDir, 'history', 'hist.jsonl');
    const runs = readFileSync(path, 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(runs).toHaveLength(2);
    expect(runs[0]).toMatchObject({ job: 'hist', exit: 0, signal: null, timed_out: false, log: join(box.logDir, 'hist.log') });
    expect(runs[1]).toMatchObject({ job: 'hist', exit: 137, signal: 'SIGKILL' });
    for (const key of ['run', 'host', 'start', 'end', 'duration_ms']) expect(runs[0]).toHaveProperty(key);
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });
});
