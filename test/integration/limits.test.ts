import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, cronwrap, orphanedLockHolder, sandbox, startCronwrap, untilBackgroundRuns, untilLogged, waitFor, historyOf } from '../helpers/cronwrap.js';
import { alive, groupMembers, killQuietly, sleep, waitForPid } from '../helpers/processes.js';
import { footer, parseLog, reassemble } from '../helpers/records.js';

describe('--timeout', () => {
  it('ends a tree that ignores SIGTERM and has a background grandchild: exit 124, nothing left', async () => {
    const box = sandbox();
    const pidFile = join(box.dir, 'pid');
    const started = Date.now();
    const result = await cronwrap(
      ['--name', 'stuck', '--timeout', '1s', '--kill-after', '1s', '-c', `trap '' TERM; sleep 60 & echo $$ > ${pidFile}; while :; do sleep 0.1; done`],
      box,
    );
    const pgid = Number(readFileSync(pidFile, 'utf8'));
    expect(result.exitCode).toBe(124);
    expect(Date.now() - started).toBeLessThan(30_000); // not the grandchild's minute (Node's start-up is the machine's)
    expect(groupMembers(pgid)).toEqual([]);
    // pgrep finds no live process (zombies, dead and waiting for init to reap them, are left out).
    expect(spawnSync('pgrep', ['--runstates', 'R,S,D,T,t', '-g', String(pgid)]).status).toBe(1);
    const end = footer(parseLog(box.logOf('stuck')));
    expect(end).toMatchObject({ exit: '124', timed_out: 'true', signal: 'SIGKILL' });
    // The run's own clock: the timeout, then kill-after, then SIGKILL ends the group at once.
    expect(Number(end.duration_ms)).toBeGreaterThanOrEqual(1000 + 1000);
    expect(Number(end.duration_ms)).toBeLessThan(1000 + 1000 + 1000);
    expect(end.status).toMatch(/^timed out after 1\.000s/);
    expect(result.stdout.toString()).toMatch(/status: +timed out after 1\.000s .*\(cronwrap exits 124\)/);
  });

  it('a job that stops on SIGTERM ends with it, and the footer says SIGTERM', async () => {
    const box = sandbox();
    const result = await cronwrap(['--name', 't', '--timeout', '500ms', '--', 'sleep', '30'], box);
    expect(result.exitCode).toBe(124);
    expect(footer(parseLog(box.logOf('t')))).toMatchObject({ timed_out: 'true', signal: 'SIGTERM' });
  });

  it('a stopped (SIGSTOP) job still dies on timeout', async () => {
    const box = sandbox();
    // A second for the job to stop itself (it takes a few milliseconds), then the timeout.
    const result = await cronwrap(['--name', 'stopped', '--timeout', '1s', '--kill-after', '5s', '-c', 'echo before; kill -STOP $$; echo after'], box);
    expect(result.exitCode).toBe(124);
    const log = parseLog(box.logOf('stopped'));
    expect(Number(footer(log).duration_ms)).toBeLessThan(4000); // SIGCONT let SIGTERM act; no wait for SIGKILL (5 s more)
    expect(reassemble(log.records, 'out').toString()).toBe('before\n');
    expect(footer(log).signal).toBe('SIGTERM');
  });

  it('does not touch a job that finishes in time', async () => {
    const box = sandbox();
    const result = await cronwrap(['--name', 'quick', '--timeout', '5s', '-c', 'exit 7'], box);
    expect(result.exitCode).toBe(7);
    expect(footer(parseLog(box.logOf('quick'))).timed_out).toBe('false');
  });
});

describe('--idle-timeout', () => {
  it("ends a job that went silent, with its whole process group: exit 124, 'idle' in footer, history and status", async () => {
    const box = sandbox();
    const pidFile = join(box.dir, 'pid');
    // Talks for a while (longer than the idle limit in all, a tick every 0.2 s: far within it even on a loaded
    // machine), then hangs silently with a grandchild.
    const script = `echo $$ > ${pidFile}; sleep 60 & for i in 1 2 3 4 5 6; do echo "tick $i"; sleep 0.2; done; while :; do sleep 0.1; done`;
    const result = await cronwrap(['--name', 'hung', '--idle-timeout', '1s', '--kill-after', '1s', '-c', script], box);
    const pgid = Number(readFileSync(pidFile, 'utf8'));
    expect(result.exitCode).toBe(124);
    expect(groupMembers(pgid)).toEqual([]);
    const log = parseLog(box.logOf('hung'));
    expect(reassemble(log.records, 'out').toString()).toBe('tick 1\ntick 2\ntick 3\ntick 4\ntick 5\ntick 6\n'); // output kept it alive past 1 s
    const end = footer(log);
    expect(end).toMatchObject({ exit: '124', timed_out: 'true', idle: 'true', signal: 'SIGTERM' });
    expect(end.status).toMatch(/^stopped after 1\.000s without output \(--idle-timeout/);
    expect(Number(end.duration_ms)).toBeGreaterThanOrEqual(1000 + 1000); // the last tick came after 5 sleeps of 0.2 s
    expect(historyOf(box.stateDir, 'hung')[0]).toMatchObject({ exit: 124, timed_out: true, idle_timed_out: true });
    const status = await cronwrap(['status', '--json'], box);
    expect(JSON.parse(status.stdout.toString())).toMatchObject([{ job: 'hung', last_result: 'idle timeout' }]);
  });

  it('leaves a job that keeps printing alone, and --timeout still applies beside it', async () => {
    const box = sandbox();
    // 1.5 s of a line every 0.1 s: longer than the idle limit in all, never near it between lines.
    const chatty = await cronwrap(['--name', 'chatty', '--idle-timeout', '1s', '-c', 'for i in $(seq 1 15); do echo $i; sleep 0.1; done'], box);
    expect(chatty.exitCode).toBe(0);
    expect(footer(parseLog(box.logOf('chatty')))).toMatchObject({ timed_out: 'false' });
    const both = await cronwrap(['--name', 'both', '--idle-timeout', '10s', '--timeout', '500ms', '-c', 'while :; do echo x; sleep 0.1; done'], box);
    expect(both.exitCode).toBe(124);
    const end = footer(parseLog(box.logOf('both')));
    expect(end.idle).toBeUndefined();
    expect(end.status).toMatch(/^timed out after 500ms/);
  });
});

describe('leftovers', () => {
  it('are ended by default, with SIGKILL for one that ignores SIGTERM, and listed', async () => {
    const box = sandbox();
    const pidFile = join(box.dir, 'pid');
    const result = await cronwrap(
      // The job ends once its leftover is sleep, ignoring SIGTERM: not a shell that has yet to set its trap.
      ['--name', 'messy', '--kill-after', '500ms', '-c', `(trap '' TERM; exec sleep 60) >/dev/null 2>&1 & echo $! > ${pidFile}; ${untilBackgroundRuns('sleep')}`],
      box,
    );
    const leftover = Number(readFileSync(pidFile, 'utf8'));
    try {
      expect(result.exitCode).toBe(0);
      expect(alive(leftover)).toBe(false);
      expect(footer(parseLog(box.logOf('messy'))).left_behind).toBe(`${leftover} sleep (ended by cronwrap)`);
      expect(historyOf(box.stateDir, 'messy')[0]).toMatchObject({ leftovers: [`${leftover} sleep`], leftovers_ended: true });
    } finally {
      killQuietly(leftover);
    }
  });
});

describe('--lock', () => {
  /** A run of `job` that holds its lock from when it writes its pid until the test calls `release()`. */
  async function holder(box: ReturnType<typeof sandbox>, job: string, then = 'true') {
    const pidFile = join(box.dir, `${job}.pid`);
    const gate = join(box.dir, `${job}.gate`);
    const run = startCronwrap(['--name', job, '--lock', '-c', `echo $$ > ${pidFile}; while [ ! -e ${gate} ]; do sleep 0.05; done; ${then}`], box);
    await waitForPid(pidFile);
    return { run, release: () => writeFileSync(gate, '') };
  }

  it('two runs at once: one runs, the other is skipped with a log line and a history record', async () => {
    const box = sandbox();
    const first = await holder(box, 'single', 'echo first');
    const second = await cronwrap(['--name', 'single', '--lock', '--', 'echo', 'second'], box);
    expect(second.exitCode).toBe(0);
    expect(second.stdout.length).toBe(0);
    first.release();
    expect((await first.run).exitCode).toBe(0);
    const log = parseLog(box.logOf('single'));
    expect(log.meta.map((m) => m.event).filter((e) => e === 'skip')).toHaveLength(1);
    expect(reassemble(log.records, 'out').toString()).toBe('first\n');
    const runs = historyOf(box.stateDir, 'single');
    expect(runs.map((r) => [r.lock_skipped, r.attempts])).toEqual([
      [true, 0],
      [false, 1],
    ]);
  });

  it('--lock-busy-exit sets the status of a skipped run', async () => {
    const box = sandbox();
    const first = await holder(box, 'busy');
    const second = await cronwrap(['--name', 'busy', '--lock', '--lock-busy-exit', '75', '--', 'true'], box);
    expect(second.exitCode).toBe(75);
    expect(second.stdout.toString()).toMatch(/status: +skipped: another run of the job holds the lock/);
    first.release();
    await first.run;
  });

  it('--lock-wait waits for the running instance, then runs', async () => {
    const box = sandbox();
    const first = await holder(box, 'queue', 'echo first');
    const second = cronwrap(['--name', 'queue', '--lock', '--lock-wait', '1m', '--', 'echo', 'second'], box);
    // The second run has begun (its start record) while the first still holds the lock; then the first ends.
    await waitFor(() => box.logOf('queue').toString().split('=== start').length - 1 === 2);
    first.release();
    expect((await second).exitCode).toBe(0);
    await first.run;
    expect(reassemble(parseLog(box.logOf('queue')).records, 'out').toString()).toBe('first\nsecond\n');
  });

  it('time spent waiting for the lock is no part of the duration (history, metrics, --expect-duration); a skip with --lock-busy-exit is reported SKIPPED', async () => {
    const box = sandbox();
    const metrics = join(box.dir, 'metrics');
    const first = await holder(box, 'queue');
    const common = ['--name', 'queue', '--lock', '--metrics-dir', metrics, '--expect-duration', '..900ms'];
    // The waiting run waits at least as long as the skipped one, which starts after it (its start record is
    // logged) and gives up after its --lock-wait of 1s; then the holder lets go.
    const waiting = cronwrap([...common, '--lock-wait', '1m', '--', 'true'], box);
    await waitFor(() => box.logOf('queue').toString().split('=== start').length - 1 === 2);
    const skipped = await cronwrap([...common, '--lock-wait', '1s', '--lock-busy-exit', '75', '--', 'true'], box);
    expect(skipped.exitCode).toBe(75);
    expect(skipped.stdout.toString()).toMatch(/^cronwrap: job queue SKIPPED on \S+\n/);
    expect(skipped.stdout.toString()).toMatch(/\nstatus: +skipped: another run of the job holds the lock \(waited 1\.000s for it, --lock-wait\) \(cronwrap exits 75\)\nstarted: .*\nduration: \S+, after waiting 1\.\d+s \(jitter, locks\)\n/);
    first.release();
    expect((await waiting).exitCode).toBe(0);
    await first.run;
    // The holder's run waited for nothing; the other two each waited a second or more, and ran (or were skipped) in less.
    const runs = historyOf(box.stateDir, 'queue');
    expect(runs).toHaveLength(3);
    const waited = runs.filter((r) => Number(r.waited_ms) >= 1000);
    expect(waited.map((r) => r.lock_skipped).sort()).toEqual([false, true]);
    for (const run of waited) expect(run.duration_ms).toBeLessThan(900);
    expect(runs.filter((r) => r.duration_warning)).toEqual([]);
    const lastDuration = /^cronwrap_last_duration_seconds\{cron_job="queue"\} (\S+)$/m.exec(readFileSync(join(metrics, 'cronwrap_queue.prom'), 'utf8'))?.[1];
    expect(Number(lastDuration)).toBeLessThan(0.9);
  });

  it('a lock held by a SIGKILLed cronwrap is taken over once its job is gone too', async () => {
    const box = sandbox();
    const orphan = await orphanedLockHolder(box, 'crashed');
    killQuietly(orphan); // while it ran, the lock held (faults.test.ts, "the host lock lives as long as the job")
    await waitFor(() => !alive(orphan));
    const next = await cronwrap(['--name', 'crashed', '--lock', '--', 'echo', 'ran'], box);
    expect(next.exitCode).toBe(0);
    expect(reassemble(parseLog(box.logOf('crashed')).records, 'out').toString()).toBe('ran\n');
  });

  it('keeps its lock files private in the state directory', async () => {
    const box = sandbox();
    const first = await holder(box, 'private');
    const { statSync } = await import('node:fs');
    expect(statSync(join(box.stateDir, 'locks', 'jobs', 'private.lock')).mode & 0o777).toBe(0o600);
    expect(statSync(join(box.stateDir, 'locks', 'jobs')).mode & 0o777).toBe(0o700);
    first.release();
    await first.run;
  });
});

describe('--jitter', () => {
  it('waits a delay within the bound, the same for the same host and job', async () => {
    const box = sandbox();
    const delays: number[] = [];
    for (let i = 0; i < 2; i++) {
      await cronwrap(['--name', 'spread', '--jitter', '1s', '--', 'true'], box);
    }
    for (const m of parseLog(box.logOf('spread')).meta.filter((m) => m.event === 'wait')) delays.push(Number(m.fields.jitter_ms));
    expect(delays).toHaveLength(2);
    expect(delays[0]).toBeGreaterThanOrEqual(0);
    expect(delays[0]).toBeLessThan(1000);
    expect(delays[1]).toBe(delays[0]);
  });
});

describe('--retries', () => {
  it('runs a failing command again until it succeeds, logging each attempt', async () => {
    const box = sandbox();
    const counter = join(box.dir, 'count');
    const script = `n=$(cat ${counter} 2>/dev/null || echo 0); n=$((n+1)); echo $n > ${counter}; echo "attempt $n"; [ $n -ge 3 ]`;
    const result = await cronwrap(['--name', 'flaky', '--retries', '5', '--retry-delay', '100ms', '-c', script], box);
    expect(result.exitCode).toBe(0);
    expect(result.stdout.length).toBe(0);
    const log = parseLog(box.logOf('flaky'));
    expect(reassemble(log.records, 'out').toString()).toBe('attempt 1\nattempt 2\nattempt 3\n');
    expect(log.meta.filter((m) => m.event === 'retry').map((m) => m.fields.attempt)).toEqual(['2', '3']);
    expect(footer(log).attempts).toBe('3');
    expect(historyOf(box.stateDir, 'flaky')[0]).toMatchObject({ attempts: 3, exit: 0 });
  });

  it('gives up after N retries with the last attempt\'s status', async () => {
    const box = sandbox();
    const result = await cronwrap(['--name', 'doomed', '--retries', '2', '--retry-delay', '50ms', '-c', 'echo no; exit 9'], box);
    expect(result.exitCode).toBe(9);
    expect(result.stdout.toString()).toMatch(/duration: .* over 3 attempts/);
    expect(footer(parseLog(box.logOf('doomed'))).attempts).toBe('3');
  });

  it('does not retry a command that was not found', async () => {
    const box = sandbox();
    const result = await cronwrap(['--name', 'missing', '--retries', '3', '--retry-delay', '50ms', '--', 'no-such-program-xyz'], box);
    expect(result.exitCode).toBe(127);
    expect(footer(parseLog(box.logOf('missing'))).attempts).toBe('1');
  });
});

describe('true timestamps', () => {
  // sed writes to a pipe through C stdio, which buffers a block: without help, every line is stamped at exit.
  const ticking = 'for i in 1 2 3; do echo "tick $i"; sleep 1; done | sed -e s/^/x/';
  const stampsOf = (box: ReturnType<typeof sandbox>, job: string) =>
    parseLog(box.logOf(job)).records.map((r) => Number(r.stamp));
  /**
   * As `ticking`, but after each tick but the last the job waits until it is in the log, then a second:
   * stamps at least a second apart by construction, however late cronwrap reads a line.
   */
  const paced = (box: ReturnType<typeof sandbox>, job: string) =>
    `for i in 1 2 3; do echo "tick $i"; [ $i = 3 ] || { ${untilLogged(box, job, 'xtick $i')}; sleep 1; }; done | sed -e s/^/x/`;

  it('without --line-buffered, a block-buffered child gets one late stamp for all its lines', async () => {
    const box = sandbox();
    await cronwrap(['--name', 'blocky', '--timestamp', 'epoch', '-c', ticking], box);
    const stamps = stampsOf(box, 'blocky');
    expect(stamps).toHaveLength(3);
    expect(stamps[2]! - stamps[0]!).toBeLessThan(0.2);
  });

  it('--line-buffered gives a child printing a line per second stamps one second apart', async () => {
    const box = sandbox();
    const before = Date.now() / 1000;
    await cronwrap(['--name', 'lined', '--timestamp', 'epoch', '--line-buffered', '-c', paced(box, 'lined')], box);
    const after = Date.now() / 1000;
    const stamps = stampsOf(box, 'lined');
    expect(stamps).toHaveLength(3);
    for (const gap of [stamps[1]! - stamps[0]!, stamps[2]! - stamps[1]!]) expect(gap).toBeGreaterThanOrEqual(0.999);
    // Each line stamped when it came, within the run: not all at its end.
    expect(stamps[0]).toBeGreaterThanOrEqual(before - 0.001);
    expect(stamps[2]).toBeLessThanOrEqual(after + 0.001);
  });

  it('--line-buffered sets PYTHONUNBUFFERED for Python jobs', async () => {
    const box = sandbox();
    await cronwrap(['--name', 'env', '--line-buffered', '-c', 'echo "$PYTHONUNBUFFERED"'], box);
    expect(reassemble(parseLog(box.logOf('env')).records, 'out').toString()).toBe('1\n');
  });

  it('--pty runs the command on a terminal: per-line stamps, stderr merged into stdout, exit status kept', async () => {
    const box = sandbox();
    const result = await cronwrap(['--name', 'pty', '--timestamp', 'epoch', '--pty', '-c', `${paced(box, 'pty')}; test -t 1 && echo on-a-tty; echo oops >&2; exit 4`], box);
    expect(result.exitCode).toBe(4);
    const log = parseLog(box.logOf('pty'));
    expect(reassemble(log.records, 'out').toString()).toBe('xtick 1\nxtick 2\nxtick 3\non-a-tty\noops\n');
    expect(log.records.filter((r) => r.stream === 'err')).toHaveLength(0);
    const stamps = log.records.map((r) => Number(r.stamp));
    expect(stamps[1]! - stamps[0]!).toBeGreaterThanOrEqual(0.999);
  });
});

describe('status, history and tail', () => {
  async function seed(box: ReturnType<typeof sandbox>) {
    await cronwrap(['--name', 'alpha', '--', 'echo', 'a1'], box);
    await cronwrap(['--name', 'beta', '-c', 'exit 2'], box);
    await cronwrap(['--name', 'beta', '-c', 'exit 3'], box);
    await cronwrap(['--name', 'gamma', '--timeout', '200ms', '--', 'sleep', '5'], box);
    await cronwrap(['--name', 'alpha', '--', 'echo', 'a2'], box);
  }

  it('status: one row per job, failing first; exit 1 when any last run failed', async () => {
    const box = sandbox();
    await seed(box);
    const result = await cronwrap(['status'], box);
    expect(result.exitCode).toBe(1);
    const lines = result.stdout.toString().trimEnd().split('\n');
    expect(lines[0]).toMatch(/^JOB +LAST START +RESULT +DURATION +LAST SUCCESS +FAILS +RUNS 24H$/);
    expect(lines.slice(1).map((l) => l.split(/\s+/)[0])).toEqual(['beta', 'gamma', 'alpha']);
    expect(lines[1]).toMatch(/^beta +\S+ +exit 3 +\S+ +never +2 +2$/);
    expect(lines[2]).toMatch(/^gamma +\S+ +timeout /);
    expect(lines[3]).toMatch(/^alpha +\S+ +ok +\S+ +\S+Z +0 +2$/);
    expect(result.stdout.toString()).not.toContain('\u001b['); // no colour off a terminal
  });

  it('status --json: one array of job objects; exit 0 when all is well', async () => {
    const box = sandbox();
    await cronwrap(['--name', 'fine', '--', 'true'], box);
    const result = await cronwrap(['status', '--json'], box);
    expect(result.exitCode).toBe(0);
    const jobs = JSON.parse(result.stdout.toString()) as Record<string, unknown>[];
    expect(jobs).toEqual([
      expect.objectContaining({ job: 'fine', last_result: 'ok', last_exit: 0, consecutive_failures: 0, runs_24h: 1, failing: false }),
    ]);
    for (const key of ['last_start', 'last_duration_ms', 'last_success']) expect(jobs[0]).toHaveProperty(key);
  });

  it('status colours the result on a terminal, never with NO_COLOR', () => {
    const box = sandbox();
    spawnSync(BIN, ['--name', 'red', '-c', 'exit 1'], { env: { ...box.env } });
    const onTty = (extra: Record<string, string>) =>
      spawnSync('script', ['-qec', `${BIN} status`, '/dev/null'], { env: { ...box.env, ...extra }, encoding: 'utf8' }).stdout;
    expect(onTty({})).toContain('\u001b[31m');
    expect(onTty({ NO_COLOR: '1' })).not.toContain('\u001b[');
  });

  it('history: newest first, -n, and --json as one array of run records', async () => {
    const box = sandbox();
    await seed(box);
    const text = await cronwrap(['history', 'beta'], box);
    const rows = text.stdout.toString().trimEnd().split('\n');
    expect(rows[0]).toMatch(/^START +RESULT +DURATION +ATTEMPTS +RUN +HOST +LOG$/);
    expect(rows.slice(1).map((r) => r.split(/\s+/)[1] + ' ' + r.split(/\s+/)[2])).toEqual(['exit 3', 'exit 2']);
    const json = JSON.parse((await cronwrap(['history', 'beta', '-n', '1', '--json'], box)).stdout.toString()) as Record<string, unknown>[];
    expect(json).toHaveLength(1);
    expect(json[0]).toMatchObject({ job: 'beta', exit: 3, attempts: 1, lock_skipped: false, timed_out: false });
    const missing = await cronwrap(['history', 'nobody'], box);
    expect(missing.exitCode).toBe(1);
    expect(missing.stderr.toString()).toMatch(/no runs of 'nobody'/);
  });

  it('tail: the last lines of a job\'s log', async () => {
    const box = sandbox();
    await seed(box);
    const result = await cronwrap(['tail', 'alpha', '-n', '2'], box);
    const lines = result.stdout.toString().trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/ out\| a2$/);
    expect(lines[1]).toMatch(/ === end job=alpha /);
  });

  it('tail -f follows the log as runs append to it, across a rotation', async () => {
    const box = sandbox();
    await cronwrap(['--name', 'live', '--', 'echo', 'one'], box);
    const follower = startCronwrap(['tail', 'live', '-n', '1', '-f'], box, { encoding: 'utf8' });
    const seen: string[] = [];
    follower.stdout?.on('data', (chunk: Buffer | string) => seen.push(chunk.toString()));
    await waitFor(() => seen.join('').includes('=== end')); // -n 1: the first run's footer
    await cronwrap(['--name', 'live', '--', 'echo', 'two'], box);
    const { renameSync } = await import('node:fs');
    await waitFor(() => seen.join('').includes('out| two'));
    renameSync(join(box.logDir, 'live.log'), join(box.logDir, 'live.log.1'));
    await cronwrap(['--name', 'live', '--', 'echo', 'three'], box);
    await waitFor(() => seen.join('').includes('out| three'));
    follower.kill('SIGTERM');
    const result = await follower;
    expect(result.exitCode).toBe(0);
    const text = seen.join('');
    expect(text).toMatch(/out\| two\n/);
    expect(text).toMatch(/out\| three\n/);
    expect(text).not.toMatch(/out\| one\n/);
  });
});

describe('history is bounded', () => {
  it('keeps about --history-limit runs, and concurrent runs lose no recent record while trimming', async () => {
    const box = sandbox();
    const limit = 10;
    for (let wave = 0; wave < 6; wave++) {
      await Promise.all(Array.from({ length: 6 }, () => cronwrap(['--name', 'busy', '--history-limit', String(limit), '--', 'true'], box)));
    }
    const raw = readFileSync(join(box.stateDir, 'history', 'busy.jsonl'), 'utf8').trimEnd().split('\n');
    const runs = raw.map((line) => JSON.parse(line) as { run: string; end: string });
    expect(runs.length).toBeLessThanOrEqual(limit * 1.1 + 6 * 2);
    expect(runs.length).toBeGreaterThanOrEqual(limit);
    // The runs of the last wave all finished after every trim of earlier waves: each must be there.
    const ends = parseLog(box.logOf('busy')).meta.filter((m) => m.event === 'end').map((m) => ({ run: m.fields.run!, end: m.fields.end! }));
    expect(ends).toHaveLength(36);
    const newest = ends.sort((a, b) => a.end.localeCompare(b.end)).slice(-5);
    const kept = new Set(runs.map((r) => r.run));
    for (const { run } of newest) expect(kept.has(run)).toBe(true);
  });
});

describe('usage', () => {
  it.each([
    [['--timeout', 'forever', '--', 'true'], /--timeout: 'forever' is not a duration/],
    [['--retries', '-1', '--', 'true'], /--retries: '-1' is not a whole number from 0 to 100/],
    [['--lock-busy-exit', '300', '--', 'true'], /--lock-busy-exit: '300' is not a whole number from 0 to 255/],
    [['history'], /missing required argument 'job'/],
    [['tail', '../x'], /<job>: '..\/x' cannot be a job name/],
  ])('%j exits 125 naming the option', async (args, message) => {
    const box = sandbox();
    const result = await cronwrap(args, box);
    expect(result.exitCode).toBe(125);
    expect(result.stderr.toString()).toMatch(message);
  });

  it('`cronwrap -- status` runs a program called status, not the command', async () => {
    const box = sandbox();
    writeFileSync(join(box.dir, 'status'), '#!/bin/sh\necho program\n', { mode: 0o755 });
    const result = await cronwrap(['--name', 'prog', '--', join(box.dir, 'status')], box);
    expect(result.exitCode).toBe(0);
    expect(reassemble(parseLog(box.logOf('prog')).records, 'out').toString()).toBe('program\n');
  });
});
