import { constants } from 'node:os';
import { codeOf, errorCode } from '../errors.js';
import { formatDuration } from '../util/format.js';

/** How the command's run ended: a value, never an exception. */
export type Outcome =
  | { kind: 'exited'; code: number }
  | { kind: 'killed'; signal: NodeJS.Signals }
  | { kind: 'not-found'; reason: string }
  | { kind: 'not-executable'; reason: string }
  | { kind: 'spawn-failed'; reason: string }
  /** cronwrap itself got `signal` and stopped the command, which then ended as `command` (null: it never started). */
  | { kind: 'interrupted'; signal: NodeJS.Signals; command: Outcome | null }
  /**
   * `--timeout` fired after `timeoutMs` (or `--idle-timeout`, `idle`: no output for `timeoutMs`) and
   * cronwrap stopped the command, which then ended as `command`.
   */
  | { kind: 'timed-out'; timeoutMs: number; idle?: true; command: Outcome };

/** Exit status when `--timeout` or `--idle-timeout` fired, whatever signal was finally needed (as timeout(1) does). */
const EXIT_TIMED_OUT = 124;

function signalNumber(signal: NodeJS.Signals): number {
  return constants.signals[signal] ?? 0;
}

/** cronwrap's exit status for an outcome, exactly as in the contract's table. */
export function exitCodeOf(outcome: Outcome): number {
  switch (outcome.kind) {
    case 'exited':
      return outcome.code;
    case 'killed':
    case 'interrupted':
      return 128 + signalNumber(outcome.signal);
    case 'not-found':
      return 127;
    case 'not-executable':
      return 126;
    case 'spawn-failed':
      return 125;
    case 'timed-out':
      return EXIT_TIMED_OUT;
  }
}

/** Whether another attempt could help: the command ran and failed on its own. */
export function isRetryable(outcome: Outcome): boolean {
  return (outcome.kind === 'exited' && outcome.code !== 0) || outcome.kind === 'killed';
}

/** The signal that ended the command itself, if one did. */
export function commandSignal(outcome: Outcome): NodeJS.Signals | null {
  if (outcome.kind === 'killed') return outcome.signal;
  if ((outcome.kind === 'interrupted' || outcome.kind === 'timed-out') && outcome.command) return commandSignal(outcome.command);
  return null;
}

const SIGNAL_WORDS: Partial<Record<NodeJS.Signals, string>> = {
  SIGKILL: 'killed',
  SIGTERM: 'terminated',
  SIGINT: 'interrupted',
  SIGHUP: 'hung up',
  SIGSEGV: 'segmentation fault',
  SIGABRT: 'aborted',
  SIGPIPE: 'broken pipe',
};

function signalText(signal: NodeJS.Signals): string {
  const words = SIGNAL_WORDS[signal];
  return `${signal} (${signalNumber(signal)}${words ? `, ${words}` : ''})`;
}

/** The outcome in plain words, for reports and log footers. */
export function describeOutcome(outcome: Outcome): string {
  switch (outcome.kind) {
    case 'exited':
      return outcome.code === 0 ? 'succeeded (exit 0)' : `failed with exit status ${outcome.code}`;
    case 'killed':
      return `killed by signal ${signalText(outcome.signal)}`;
    case 'not-found':
      return `command not found (${outcome.reason})`;
    case 'not-executable':
      return `command found but not executable (${outcome.reason})`;
    case 'spawn-failed':
      return `could not start the command (${outcome.reason})`;
    case 'interrupted':
      return outcome.command
        ? `stopped because cronwrap got ${outcome.signal}; the command ${outcome.command.kind === 'killed' ? 'was ' : ''}${describeOutcome(outcome.command)}`
        : `not started: cronwrap got ${outcome.signal} before the command ran`;
    case 'timed-out':
      return outcome.idle
        ? `stopped after ${formatDuration(outcome.timeoutMs)} without output (--idle-timeout; the command then: ${describeOutcome(outcome.command)})`
        : `timed out after ${formatDuration(outcome.timeoutMs)} (the command then: ${describeOutcome(outcome.command)})`;
  }
}

/**
 * Maps an error from spawning to the outcome the contract asks for (127 not found, 126 not runnable).
 * `interpreter`: the script's `#!` interpreter, when that is what is missing.
 */
export function spawnFailure(error: unknown, interpreter?: string): Outcome {
  const code = codeOf(error);
  const reason = errorCode(error);
  if (code === 'ENOENT' && interpreter) return { kind: 'not-found', reason: `interpreter ${interpreter} (named on the script's #! line) not found` };
  if (code === 'ENOENT' || code === 'ENOTDIR') return { kind: 'not-found', reason };
  if (code === 'E2BIG') return { kind: 'not-executable', reason: 'E2BIG: the arguments and environment are too long for exec' };
  if (code === 'EACCES' || code === 'EPERM' || code === 'ENOEXEC' || code === 'EISDIR') {
    return { kind: 'not-executable', reason };
  }
  return { kind: 'spawn-failed', reason };
}
