import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable } from 'node:stream';
import type { StreamTag } from '../annotate/record-format.js';
import { endLeftovers, GroupStopper } from './group-stopper.js';
import type { Interruptions } from './interruptions.js';
import { codeOf } from '../errors.js';
import { monotonicMs } from '../util/monotonic.js';
import { processesInGroup, type ProcessInfo } from '../util/proc.js';
import { missingInterpreter } from './interpreter.js';
import { spawnFailure, type Outcome } from './outcome.js';

/** What takes the command's output (the run's recorder): called straight from the pipes, so the per-line path stays short. */
export interface OutputSink {
  /** Called for every read from the command's stdout or stderr. */
  push(tag: StreamTag, chunk: Buffer): void;
  /** Called when the command's stdout or stderr reaches its end (the writers closed it), before the other may. */
  endStream(tag: StreamTag): void;
}

export interface SuperviseOptions {
  drainMs: number;
  killAfterMs: number;
  /** Stop the command after this long (monotonic clock); undefined for no limit. */
  timeoutMs: number | undefined;
  /** Stop the command once it has printed nothing on stdout or stderr for this long; undefined for no limit. */
  idleTimeoutMs: number | undefined;
  /** Leave processes the command left behind running instead of ending them. */
  keepLeftovers: boolean;
  interruptions: Interruptions;
  env: NodeJS.ProcessEnv;
  /** Where every read from the command's stdout and stderr goes: the run's recorder. */
  output: OutputSink;
  /** Called with the command's process group once it runs. */
  onSpawn?: (group: number) => void;
  /** Called for each signal meant for the job that was passed on to its process group. */
  onPassedOn?: (signal: NodeJS.Signals, group: number) => void;
}

export interface SupervisedRun {
  outcome: Outcome;
  /** The output pipes were still held open (by a process the command left behind) when the drain grace ended. */
  drainExpired: boolean;
  /** Processes still in the command's process group after it exited and its output was drained. */
  leftovers: ProcessInfo[];
  /** Whether those processes were ended (the default) or left running (`--keep-leftovers`). */
  leftoversEnded: boolean;
}

/** Whether `promise` settles within `ms`: true as soon as it does, false once `ms` have passed without it. */
async function within(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  const onTime = await Promise.race([promise.then(() => true), expired]);
  clearTimeout(timer);
  return onTime;
}

/**
 * Calls `fire` once nothing was printed for `idleMs` (`lastOutput` says when something last was). The timer
 * is set again for the rest of the span rather than at every read, so a chatty job costs one clock read
 * per read. Returns the function that stops watching.
 */
function idleWatch(idleMs: number | undefined, lastOutput: () => number, fire: (idleMs: number) => void): (() => void) | undefined {
  if (idleMs === undefined) return undefined;
  let timer: NodeJS.Timeout;
  const check = () => {
    const quietMs = monotonicMs() - lastOutput();
    if (quietMs >= idleMs) fire(idleMs);
    else timer = setTimeout(check, idleMs - quietMs);
  };
  timer = setTimeout(check, idleMs);
  return () => clearTimeout(timer);
}

/**
 * Runs the command in its own session and process group, without a shell, stdin inherited and its
 * stdout/stderr piped to `output`. node:child_process rather than execa: execa's promise settles only
 * when the pipes close, which a grandchild can delay forever, and it costs ~35 ms of start-up (README).
 * "Done" is the command's exit plus at most `drainMs` for the pipes to close.
 */
export async function supervise(command: readonly [string, ...string[]], options: SuperviseOptions): Promise<SupervisedRun> {
  const [file, ...args] = command;
  const stopper = new GroupStopper(options.killAfterMs);
  let stoppedBy: { signal: NodeJS.Signals } | { timeoutMs: number; idle?: true } | undefined;
  const stopListening = options.interruptions.subscribe((signal, repeated) => {
    stoppedBy ??= { signal };
    if (repeated) stopper.kill();
    else stopper.stop(signal);
  });
  const stopPassing = options.interruptions.passOn((signal) => {
    const group = stopper.pass(signal);
    if (group !== undefined) options.onPassedOn?.(signal, group);
  });
  const unsubscribe = () => {
    stopListening();
    stopPassing();
  };

  let child: ChildProcessByStdio<null, Readable, Readable>;
  try {
    child = spawn(file, args, { stdio: ['inherit', 'pipe', 'pipe'], detached: true, env: options.env });
  } catch (error) {
    // Some exec failures (E2BIG) are thrown at once rather than emitted: they are outcomes all the same.
    unsubscribe();
    return { outcome: spawnFailure(error), drainExpired: false, leftovers: [], leftoversEnded: false };
  }
  const { stdout, stderr } = child;
  const { output } = options;
  let lastOutputMs = monotonicMs();
  const read = options.idleTimeoutMs === undefined ? (tag: StreamTag, chunk: Buffer) => output.push(tag, chunk) : (tag: StreamTag, chunk: Buffer) => {
    lastOutputMs = monotonicMs();
    output.push(tag, chunk);
  };
  stdout.on('data', (chunk: Buffer) => read('out', chunk));
  stderr.on('data', (chunk: Buffer) => read('err', chunk));
  stdout.once('end', () => output.endStream('out'));
  stderr.once('end', () => output.endStream('err'));
  const closed = (stream: Readable) => new Promise((resolve) => stream.once('close', resolve));
  const pipesClosed = Promise.all([closed(stdout), closed(stderr)]);

  const pid = child.pid;
  if (pid !== undefined) {
    stopper.attach(pid);
    options.onSpawn?.(pid);
  }
  const { timeoutMs } = options;
  // setTimeout runs on the monotonic clock: a wall-clock jump neither fires nor delays it.
  const timeout =
    pid === undefined || timeoutMs === undefined
      ? undefined
      : setTimeout(() => {
          stoppedBy ??= { timeoutMs };
          stopper.stop('SIGTERM');
        }, timeoutMs);
  const idle = pid === undefined ? undefined : idleWatch(options.idleTimeoutMs, () => lastOutputMs, (idleMs) => {
    stoppedBy ??= { timeoutMs: idleMs, idle: true };
    stopper.stop('SIGTERM');
  });
  const ended = await new Promise<Outcome>((resolve) => {
    child.once('error', (error) => resolve(spawnFailure(error, codeOf(error) === 'ENOENT' ? missingInterpreter(file, options.env) : undefined)));
    child.once('exit', (code, signal) => resolve(signal ? { kind: 'killed', signal } : { kind: 'exited', code: code ?? 0 }));
  });
  clearTimeout(timeout);
  idle?.();
  stopper.detach();

  let drainExpired = false;
  let leftovers: ProcessInfo[] = [];
  if (pid === undefined) {
    stdout.destroy();
    stderr.destroy();
  } else {
    // A background grandchild may hold the pipes open for ever: wait a bounded time, then stop reading.
    drainExpired = !(await within(pipesClosed, options.drainMs));
    if (drainExpired) {
      stdout.destroy();
      stderr.destroy();
    }
    leftovers = processesInGroup(pid);
    if (leftovers.length > 0 && !options.keepLeftovers) await endLeftovers(pid, leftovers, options.killAfterMs);
  }
  unsubscribe();

  let outcome: Outcome = ended;
  if (stoppedBy && 'signal' in stoppedBy) outcome = { kind: 'interrupted', signal: stoppedBy.signal, command: ended };
  else if (stoppedBy) outcome = { kind: 'timed-out', timeoutMs: stoppedBy.timeoutMs, ...(stoppedBy.idle ? { idle: true as const } : {}), command: ended };
  return { outcome, drainExpired, leftovers, leftoversEnded: leftovers.length > 0 && !options.keepLeftovers };
}
