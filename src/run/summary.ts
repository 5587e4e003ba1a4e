import type { OutputFacts } from '../annotate/run-recorder.js';
import type { ProcessInfo } from '../util/proc.js';
import { commandSignal, describeOutcome, exitCodeOf, type Outcome } from '../process/outcome.js';
import type { RunHeader } from './events.js';
import type { Verdict } from '../notify/policy.js';
import type { HealReport } from './heal.js';
import { judge, type JudgingRules } from './judge.js';

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
  /** From the moment the command could start (or was skipped) to the end: the job's time, heal included. */
  durationMs: number;
  /** Before that: `--jitter`, and waiting for the host's or the fleet's lock. */
  waitedMs: number;
  /** The start on the monotonic clock (ms): orders runs of one boot whatever the wall clock did. */
  startMonoMs: number;
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
  /** `--on-failure`: what the heal did after the job failed. */
  heal: HealReport | undefined;
  /**
   * How the run counts for alerts: `failed` for the job's failure or a run without (or that lost) its
   * fleet lock, `skipped` for a busy lock (told once skips repeat), `warning` for a --warn-exit status or
   * a failure the heal fixed, else `ok` (exit 0 or an --ok-exit status).
   */
  verdict: Verdict;
  /** A successful run far from its usual (or expected) duration: a warning, never a failure (run/duration-check.ts). */
  durationWarning?: string;
}

export interface SummaryParts {
  header: RunHeader;
  attempts: AttemptsResult;
  output: OutputFacts;
  lockProblems: readonly string[];
  endMs: number;
  durationMs: number;
  waitedMs: number;
  startMonoMs: number;
  /** `--ok-exit`, `--warn-exit`, `--stderr-fails`. */
  rules: JudgingRules;
  heal: HealReport | undefined;
}

/**
 * A run without its fleet lock, or that lost it, is told to the failure channels even if the job
 * succeeded; after a heal, the heal decides: a warning if it helped, else a failure.
 */
function verdictOf(judged: Verdict, heal: HealReport | undefined, lockProblems: readonly string[]): Verdict {
  if (lockProblems.length > 0) return 'failed';
  if (heal) return heal.helped ? 'warning' : 'failed';
  return judged;
}

/** Builds the run's summary from what each step returned. */
export function summarize({ header, attempts, output, lockProblems, endMs, durationMs, waitedMs, startMonoMs, rules, heal }: SummaryParts): RunSummary {
  const { outcome } = attempts;
  const exitCode = exitCodeOf(outcome);
  const paused = outcome.kind === 'paused';
  const skipped = outcome.kind === 'lock-busy' || paused;
  const judged = judge(outcome, output.err.bytes, rules);
  const { stderrFailed } = judged;
  const lines = output.err.lines;
  const stderrNote = stderrFailed ? ` but wrote ${lines} ${lines === 1 ? 'line' : 'lines'} to stderr (--stderr-fails)` : '';
  const healNote = heal ? `; ${heal.text}` : '';
  return {
    ...header,
    ...attempts,
    ...output,
    endMs,
    durationMs,
    waitedMs,
    startMonoMs,
    exitCode,
    status: `${judged.words ?? describeOutcome(outcome)}${stderrNote}${healNote}`,
    signal: commandSignal(outcome),
    timedOut: outcome.kind === 'timed-out',
    idleTimedOut: outcome.kind === 'timed-out' && outcome.idle === true,
    skipped,
    paused,
    stderrFailed,
    lockProblems,
    heal,
    verdict: verdictOf(judged.verdict, heal, lockProblems),
  };
}
