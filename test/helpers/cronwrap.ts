import { spawnSync } from 'node:child_process';
import { execa, type Options } from 'execa';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach } from 'vitest';
import { waitForPid } from './processes.js';

export const BIN = resolve(__dirname, '../../bin/cronwrap');
export const FIXTURES = resolve(__dirname, '../fixtures');

const made: string[] = [];
afterEach(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A fresh directory removed after the test. */
export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'cronwrap-test-'));
  made.push(dir);
  return dir;
}

export interface Sandbox {
  dir: string;
  stateDir: string;
  logDir: string;
  env: Record<string, string>;
  logOf(job: string): Buffer;
}

/**
 * State and log directories and an (empty) config file of their own, and a clean environment: tests never
 * touch /var/lib, /var/log or /etc/cronwrap, and no CRONWRAP_* variable of the developer's leaks in.
 */
export function sandbox(): Sandbox {
  const dir = tempDir();
  const stateDir = join(dir, 'state');
  const logDir = join(dir, 'logs');
  const config = join(dir, 'cronwrap.toml');
  // 0644 whatever the umask: cronwrap ignores a config file its group may write (a umask of 002 makes one).
  writeFileSync(config, '');
  chmodSync(config, 0o644);
  return {
    dir,
    stateDir,
    logDir,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir, LANG: 'C.UTF-8', CRONWRAP_CONFIG: config, CRONWRAP_STATE_DIR: stateDir, CRONWRAP_LOG_DIR: logDir },
    logOf: (job) => readFileSync(join(logDir, `${job}.log`)),
  };
}

/** Starts the built binary as a user would: stdout and stderr are pipes (never a terminal), stdin is empty. */
export function startCronwrap(args: readonly string[], box: Sandbox, options: Options = {}) {
  return launch([BIN, ...args], box, options);
}

/** Starts the program first in the list (the binary, or a wrapper that runs it) as startCronwrap does. */
function launch([file, ...args]: readonly string[], box: Sandbox, options: Options) {
  const feedsStdin = options.input !== undefined || options.inputFile !== undefined;
  return execa(file!, args, {
    encoding: 'buffer',
    reject: false,
    stripFinalNewline: false,
    ...(feedsStdin ? {} : { stdin: 'ignore' }),
    ...options,
    extendEnv: false,
    env: { ...box.env, ...(options.env as Record<string, string> | undefined) },
  });
}

export interface Finished {
  exitCode: number | undefined;
  stdout: Buffer;
  stderr: Buffer;
}

/** Runs the built binary to the end. A Node warning on its stderr fails the test. */
export async function cronwrap(args: readonly string[], box: Sandbox, options: Options = {}): Promise<Finished> {
  return finished(await startCronwrap(args, box, options), args);
}

/** Debian's faketime: CI installs it; elsewhere the tests that need it are skipped (and vitest says so). */
export const hasFaketime = spawnSync('sh', ['-c', 'command -v faketime']).status === 0 || Boolean(process.env.CI);

/**
 * Runs the built binary to the end, as cronwrap() does, with its wall clock (and its job's) set by Debian's
 * faketime: `clock` is '+3h' (that far ahead of now) or '@2026-11-20 09:00:00' (from that moment on, a
 * clock of the test's choosing, not of the machine's speed). The monotonic clock is left alone: timers run.
 */
export async function cronwrapAt(clock: string, args: readonly string[], box: Sandbox, options: Options = {}): Promise<Finished> {
  const env = { FAKETIME_DONT_FAKE_MONOTONIC: '1', ...(options.env as Record<string, string> | undefined) };
  return finished(await launch(['faketime', '-f', clock, BIN, ...args], box, { ...options, env }), args);
}

/** A finished run as the tests read it; a Node warning on its stderr fails the test. */
function finished(result: Awaited<ReturnType<typeof launch>>, args: readonly string[]): Finished {
  const stderr = Buffer.from(result.stderr as Uint8Array);
  const warning = /\(node:\d+\) (\[\w+\] )?\w*Warning: .*/.exec(stderr.toString('utf8'));
  if (warning) throw new Error(`Node warned in cronwrap ${args.join(' ')}: ${warning[0]}`);
  return { exitCode: result.exitCode, stdout: Buffer.from(result.stdout as Uint8Array), stderr };
}

/** A command that writes exactly these bytes to stdout and stderr, through files in the sandbox. */
export function writesBytes(box: Sandbox, out: Buffer, err: Buffer = Buffer.alloc(0), exitCode = 0): string[] {
  const outFile = join(box.dir, `out-${Math.random()}`);
  const errFile = join(box.dir, `err-${Math.random()}`);
  writeFileSync(outFile, out);
  writeFileSync(errFile, err);
  return ['node', join(FIXTURES, 'write-files.mjs'), outFile, errFile, String(exitCode)];
}

/** Polls `condition` until it holds; fails after `ms` (generous: a loaded 2-core machine). */
export async function waitFor(condition: () => boolean, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** A cronwrap left running; `stdoutText()` is what it printed so far. */
export function cronwrapProcess(args: readonly string[], box: Sandbox, options: Options = {}) {
  const child = startCronwrap(args, box, { forceKillAfterDelay: false, ...options });
  let out = '';
  child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
  return Object.assign(child, { stdoutText: () => out });
}

/** Waits until the job's log holds `text`. */
export function waitForOutput(box: Sandbox, job: string, text: string): Promise<void> {
  const path = join(box.logDir, `${job}.log`);
  return waitFor(() => existsSync(path) && readFileSync(path, 'utf8').includes(text));
}

/**
 * Shell text for a job that goes on only once cronwrap has read, stamped and logged the line it printed that
 * starts with `text` (or after 5 s, so a test that fails ends). `text` may hold shell variables ("tick $i").
 * The pattern never matches the start record, which quotes the command: its first character is bracketed.
 */
export function untilLogged(box: Sandbox, job: string, text: string): string {
  return `n=0; until grep -q "out| [${text[0]}]${text.slice(1)}" ${join(box.logDir, `${job}.log`)} || [ $n = 250 ]; do sleep 0.02; n=$((n+1)); done`;
}

/**
 * Shell text that waits until the last background process ($!) runs `program`: it has exec'd, after whatever
 * it set up before (a trap, a redirection). A job that exits at once can leave it behind half started.
 */
export function untilBackgroundRuns(program: string): string {
  return `until [ "$(cat /proc/$!/comm)" = ${program} ]; do sleep 0.01; done`;
}

/** A `--lock` run of `job` whose cronwrap was SIGKILLed while its job runs on (OOM killer, kill -9): the job's pid. */
export async function orphanedLockHolder(box: Sandbox, job: string): Promise<number> {
  const pidFile = join(box.dir, `${job}.pid`);
  const holder = startCronwrap(['--name', job, '--lock', '-c', `echo $$ > ${pidFile}; exec sleep 60`], box);
  const orphan = await waitForPid(pidFile);
  // cronwrap writes the job's process group into the lock just after the spawn: kill it once it has.
  const lock = join(box.stateDir, 'locks', 'jobs', `${job}.lock`);
  await waitFor(() => existsSync(lock) && readFileSync(lock, 'utf8').trim().split(' ').length === 3);
  holder.kill('SIGKILL');
  await holder.catch(() => undefined);
  return orphan;
}

/** A script in the sandbox with this text and mode. */
export function scriptFile(box: Sandbox, text: string, mode = 0o755): string {
  const path = join(box.dir, `script-${Math.random().toString(36).slice(2)}.sh`);
  writeFileSync(path, text, { mode });
  chmodSync(path, mode); // the umask may have taken bits away
  return path;
}

/** The job's history as written: one parsed record per line. */
export function historyOf(stateDir: string, job: string): Record<string, unknown>[] {
  return readFileSync(join(stateDir, 'history', `${job}.jsonl`), 'utf8')
    .trimEnd()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}
