import { spawn } from 'node:child_process';
import { once } from 'node:events';
import type { Readable } from 'node:stream';
import type { StreamTag } from '../annotate/record-format.js';
import { processesInGroup, type ProcessInfo } from './leftovers.js';
import { spawnFailure, type Outcome } from './outcome.js';
import { forwardSignals } from './signal-forwarder.js';

export interface SuperviseOptions {
  drainMs: number;
  killAfterMs: number;
  /** Called for every read from the command's stdout or stderr. */
  onOutput: (tag: StreamTag, chunk: Buffer) => void;
}

export interface SupervisedRun {
  pid: number | undefined;
  outcome: Outcome;
  /** The output pipes were still held open (by a process the command left behind) when the drain grace ended. */
  drainExpired: boolean;
  /** Processes still in the command's process group at the end. */
  leftovers: ProcessInfo[];
}

/**
 * Runs the command in its own session and process group, without a shell, stdin inherited and its
 * stdout/stderr piped to `onOutput`. node:child_process rather than execa: execa's promise settles only
 * when the pipes close, which a grandchild can delay forever, and it costs ~30 ms of start-up (README).
 * "Done" is the command's exit plus at most `drainMs` for the pipes to close.
 */
export async function supervise(command: readonly [string, ...string[]], options: SuperviseOptions): Promise<SupervisedRun> {
  const [file, ...args] = command;
  const forwarder = forwardSignals(options.killAfterMs);
  const child = spawn(file, args, { stdio: ['inherit', 'pipe', 'pipe'], detached: true });
  const stdout = child.stdout as Readable;
  const stderr = child.stderr as Readable;
  stdout.on('data', (chunk: Buffer) => options.onOutput('out', chunk));
  stderr.on('data', (chunk: Buffer) => options.onOutput('err', chunk));
  const pipesClosed = Promise.all([once(stdout, 'close'), once(stderr, 'close')]);

  const pid = child.pid;
  if (pid !== undefined) forwarder.attach(pid);
  const ended = await new Promise<Outcome>((resolve) => {
    child.once('error', (error) => resolve(spawnFailure(error)));
    child.once('exit', (code, signal) => resolve(signal ? { kind: 'killed', signal } : { kind: 'exited', code: code ?? 0 }));
  });
  forwarder.commandExited();

  let drainExpired = false;
  if (pid === undefined) {
    stdout.destroy();
    stderr.destroy();
  } else {
    // A background grandchild may hold the pipes open for ever: wait a bounded time, then stop reading.
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<true>((resolve) => (timer = setTimeout(() => resolve(true), options.drainMs)));
    drainExpired = (await Promise.race([pipesClosed.then(() => false), expired])) === true;
    clearTimeout(timer);
    if (drainExpired) {
      stdout.destroy();
      stderr.destroy();
    }
  }
  const leftovers = pid === undefined ? [] : processesInGroup(pid);
  forwarder.dispose();
  const received = pid === undefined ? undefined : forwarder.received;
  const outcome: Outcome = received ? { kind: 'interrupted', signal: received, command: ended } : ended;
  return { pid, outcome, drainExpired, leftovers };
}
