import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cronwrap, sandbox, startCronwrap, untilBackgroundRuns, waitFor, waitForOutput } from '../helpers/cronwrap.js';
import { footer, parseLog, reassemble } from '../helpers/records.js';
import { alive, killQuietly, signalTaken, waitForPid } from '../helpers/processes.js';

describe('a grandchild that keeps stdout open cannot hang cron', () => {
  it('returns within the drain grace and names the process left behind', async () => {
    const box = sandbox();
    const pidFile = join(box.dir, 'pid');
    const started = Date.now();
    // The job ends once its leftover is sleep (named so in the footer), not a shell still starting it.
    const result = await cronwrap(['--name', 'bg', '--drain', '1s', '-c', `sleep 30 & echo $! > ${pidFile}; ${untilBackgroundRuns('sleep')}; echo parent done`], box);
    const leftover = Number(readFileSync(pidFile, 'utf8'));
    try {
      expect(result.exitCode).toBe(0);
      expect(Date.now() - started).toBeLessThan(20_000); // not the grandchild's 30 s (Node's start-up is the machine's)
      const log = parseLog(box.logOf('bg'));
      expect(Number(footer(log).duration_ms)).toBeLessThan(5000); // the run's own clock: the drain's second, then done
      expect(reassemble(log.records, 'out').toString()).toBe('parent done\n');
      expect(footer(log).drain_expired).toMatch(/still open 1\.000s after exit/);
      expect(footer(log).left_behind).toBe(`${leftover} sleep (ended by cronwrap)`);
      expect(alive(leftover)).toBe(false);
    } finally {
      killQuietly(leftover);
    }
  });

  it('with --keep-leftovers, names processes left behind and leaves them running, without waiting for them', async () => {
    const box = sandbox();
    const pidFile = join(box.dir, 'pid');
    const started = Date.now();
    const result = await cronwrap(['--name', 'quietbg', '--keep-leftovers', '-c', `sleep 30 >/dev/null 2>&1 & echo $! > ${pidFile}; ${untilBackgroundRuns('sleep')}`], box);
    const leftover = Number(readFileSync(pidFile, 'utf8'));
    try {
      expect(result.exitCode).toBe(0);
      expect(Date.now() - started).toBeLessThan(20_000); // not the leftover's 30 s (Node's start-up is the machine's)
      const end = footer(parseLog(box.logOf('quietbg')));
      expect(Number(end.duration_ms)).toBeLessThan(3000); // the run's own clock: no drain, no wait
      expect(end.left_behind).toBe(`${leftover} sleep (left running)`);
      expect(end.drain_expired).toBeUndefined();
      expect(alive(leftover)).toBe(true);
    } finally {
      killQuietly(leftover);
    }
  });

  it('waits for output the command\'s children write shortly after it exits', async () => {
    const box = sandbox();
    const result = await cronwrap(['--name', 'late', '-c', '(sleep 0.3; echo late) & echo early'], box);
    expect(result.exitCode).toBe(0);
    const log = parseLog(box.logOf('late'));
    expect(reassemble(log.records, 'out').toString()).toBe('early\nlate\n');
    expect(footer(log).drain_expired).toBeUndefined();
  });
});

describe('signals sent to cronwrap', () => {
  it.each([
    ['SIGTERM', 143],
    ['SIGINT', 130],
    ['SIGHUP', 129],
  ] as const)('%s is forwarded to the command; the log is finished; exit %i', async (signal, code) => {
    const box = sandbox();
    const pidFile = join(box.dir, 'pid');
    const child = startCronwrap(['--name', 'sig', '-c', `echo $$ > ${pidFile}; echo ready; exec sleep 60`], box);
    const command = await waitForPid(pidFile);
    await waitForOutput(box, 'sig', 'out| ready'); // the line is logged before the signal can cut it off
    child.kill(signal);
    const result = await child;
    expect(result.exitCode).toBe(code);
    expect(alive(command)).toBe(false);
    const log = parseLog(box.logOf('sig'));
    expect(reassemble(log.records, 'out').toString()).toBe('ready\n');
    expect(footer(log)).toMatchObject({ exit: String(code), signal, status: expect.stringContaining(`cronwrap got ${signal}`) });
  });

  it('reaches the whole process group, background processes included', async () => {
    const box = sandbox();
    const pidFile = join(box.dir, 'pid');
    const child = startCronwrap(['--name', 'tree', '-c', `sleep 60 & echo $! > ${pidFile}; wait`], box);
    const grandchild = await waitForPid(pidFile);
    child.kill('SIGTERM');
    expect((await child).exitCode).toBe(143);
    await waitFor(() => !alive(grandchild), 5000);
  });

  /** Starts a job that ignores SIGTERM and waits until it runs (wrapped: the subprocess is a promise itself). */
  async function startIgnoringTerm(box: ReturnType<typeof sandbox>, name: string, killAfter: string) {
    const pidFile = join(box.dir, 'pid');
    const child = startCronwrap(['--name', name, '--kill-after', killAfter, '-c', `trap '' TERM; echo $$ > ${pidFile}; while :; do sleep 0.1; done`], box);
    await waitForPid(pidFile);
    return { child };
  }

  it('escalates to SIGKILL when the command ignores the signal for --kill-after', async () => {
    const box = sandbox();
    const { child } = await startIgnoringTerm(box, 'stubborn', '1s');
    const sent = Date.now();
    child.kill('SIGTERM');
    const result = await child;
    expect(result.exitCode).toBe(143);
    expect(Date.now() - sent).toBeGreaterThanOrEqual(900);
    expect(Date.now() - sent).toBeLessThan(4000);
    expect(footer(parseLog(box.logOf('stubborn')))).toMatchObject({ signal: 'SIGKILL' });
  });

  it('a second signal escalates to SIGKILL at once', async () => {
    const box = sandbox();
    const { child } = await startIgnoringTerm(box, 'twice', '30s');
    const sent = Date.now();
    child.kill('SIGTERM');
    await waitFor(() => signalTaken(child.pid!, 'SIGTERM')); // else the two could reach it as one
    child.kill('SIGTERM');
    const result = await child;
    expect(result.exitCode).toBe(143);
    expect(Date.now() - sent).toBeLessThan(3000);
    expect(footer(parseLog(box.logOf('twice')))).toMatchObject({ signal: 'SIGKILL' });
  });
});

describe('process group', () => {
  it('runs the command as the leader of its own process group', async () => {
    const box = sandbox();
    const result = await cronwrap(['--name', 'pg', '-c', 'ps -o pid=,pgid= -p $$'], box);
    expect(result.exitCode).toBe(0);
    const [pid, pgid] = reassemble(parseLog(box.logOf('pg')).records, 'out').toString().trim().split(/\s+/);
    expect(pgid).toBe(pid);
    expect(Number(pgid)).not.toBe(Number(execFileSync('ps', ['-o', 'pgid=', '-p', String(process.pid)]).toString().trim()));
  });
});
