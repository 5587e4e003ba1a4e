import { constants } from 'node:os';

/** How the command's run ended: a value, never an exception. */
export type Outcome =
  | { kind: 'exited'; code: number }
  | { kind: 'killed'; signal: NodeJS.Signals }
  | { kind: 'not-found'; reason: string }
  | { kind: 'not-executable'; reason: string }
  | { kind: 'spawn-failed'; reason: string }
  /** cronwrap itself got `signal` and stopped the command, which then ended as `command`. */
  | { kind: 'interrupted'; signal: NodeJS.Signals; command: Outcome };

export function signalNumber(signal: NodeJS.Signals): number {
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
  }
}

/** The signal that ended the command itself, if one did. */
export function commandSignal(outcome: Outcome): NodeJS.Signals | null {
  if (outcome.kind === 'killed') return outcome.signal;
  if (outcome.kind === 'interrupted') return commandSignal(outcome.command);
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
      return `stopped because cronwrap got ${outcome.signal}; the command ${describeOutcome(outcome.command)}`;
  }
}

/** Maps an error from spawning to the outcome the contract asks for (127 not found, 126 not runnable). */
export function spawnFailure(error: NodeJS.ErrnoException): Outcome {
  const reason = error.code ?? error.message;
  if (error.code === 'ENOENT' || error.code === 'ENOTDIR') return { kind: 'not-found', reason };
  if (error.code === 'EACCES' || error.code === 'EPERM' || error.code === 'ENOEXEC' || error.code === 'EISDIR') {
    return { kind: 'not-executable', reason };
  }
  return { kind: 'spawn-failed', reason };
}
