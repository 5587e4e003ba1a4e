import type { OutputFacts } from '../annotate/run-recorder.js';
import type { ProcessInfo } from '../util/proc.js';
import { commandSignal, describeOutcome, exitCodeOf, type Outcome } from './outcome.js';
import type { RunHeader } from './events.js';
import type { Verdict } from '../notify/policy.js';

/** What the attempts of one run came to. */
export interface AttemptsResult {
  outcome: Outcome;
  /** How many times the command ran (1 + retries used; 0 when it never started). */
  attempts: number;
  /** The output pipes were still held open when the drain grace ended. */
  drainExpired: boolean;
  leftovers: ProcessInfo[];
  leftoversEnded: boolean;
}

/**
 * One run, all of it, built once when the job is over: the footer, the history record, the alert, the
 * failure report and the metrics are each a mapper from this value (src/report/).
 */
export interface RunSummary extends RunHeader, AttemptsResult, OutputFacts {
  endMs: number;
  durationMs: number;
  /** cronwrap's exit status: the job's (contract). */
  exitCode: number;
  /** The outcome in words. */
  status: string;
  /** The signal that ended the command itself, if one did. */
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  /** It was `--idle-timeout` that stopped it: no output for too long. */
  idleTimedOut: boolean;
  /** The run did not start: a lock was busy, or the job is paused. */
  skipped: boolean;
  /** It did not start because the job is paused (`cronwrap pause`). */
  paused: boolean;
  /** `--stderr-fails`: the command exited 0 but wrote to stderr, so the run counts as failed. */
  stderrFailed: boolean;
  /** What went wrong with the fleet lock (Redis unreachable, a failed renewal). */
  lockProblems: readonly string[];
  /**
   * How the run counts for alerts: `failed` for the job's failure or a run without (or that lost) its
   * fleet lock, `skipped` for a busy lock (told once skips repeat), else `ok`.
   */
  verdict: Verdict;
}

export interface SummaryParts {
  header: RunHeader;
  attempts: AttemptsResult;
  output: OutputFacts;
  lockProblems: readonly string[];
  endMs: number;
  durationMs: number;
  /** `--stderr-fails`: output on stderr makes a run that exited 0 a failure. */
  stderrFails: boolean;
}

/** A run without its fleet lock, or that lost it, is told to the failure channels even if the job succeeded. */
function verdictOf(exitCode: number, skipped: boolean, stderrFailed: boolean, lockProblems: readonly string[]): Verdict {
  if (lockProblems.length > 0 || stderrFailed) return 'failed';
  if (skipped) return 'skipped';
  return exitCode === 0 ? 'ok' : 'failed';
}

/** Builds the run's summary from what each step returned. */
export function summarize({ header, attempts, output, lockProblems, endMs, durationMs, stderrFails }: SummaryParts): RunSummary {
  const { outcome } = attempts;
  const exitCode = exitCodeOf(outcome);
  const paused = outcome.kind === 'paused';
  const skipped = outcome.kind === 'lock-busy' || paused;
  const stderrFailed = stderrFails && exitCode === 0 && !skipped && output.err.bytes > 0;
  const lines = output.err.lines;
  const stderrNote = stderrFailed ? ` but wrote ${lines} ${lines === 1 ? 'line' : 'lines'} to stderr (--stderr-fails)` : '';
  return {
    ...header,
    ...attempts,
    ...output,
    endMs,
    durationMs,
    exitCode,
    status: `${describeOutcome(outcome)}${stderrNote}`,
    signal: commandSignal(outcome),
    timedOut: outcome.kind === 'timed-out',
    idleTimedOut: outcome.kind === 'timed-out' && outcome.idle === true,
    skipped,
    paused,
    stderrFailed,
    lockProblems,
    verdict: verdictOf(exitCode, skipped, stderrFailed, lockProblems),
  };
}
