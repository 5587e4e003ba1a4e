import type { OutputFacts } from '../annotate/run-recorder.js';
import type { Verdict } from '../state/history.js';
import type { AttemptsResult, HealReport, PauseCheck, RunHeader, RunSummary } from './run-values.js';
import { judge, type JudgingRules } from './judge.js';
import { describeRunOutcome, runExitCode, runSignal } from './run-outcome.js';

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
  /** The pause found at the start (run/pause-check.ts). */
  paused?: PauseCheck;
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
export function summarize({ header, attempts, output, lockProblems, endMs, durationMs, waitedMs, startMonoMs, rules, heal, paused: check = {} }: SummaryParts): RunSummary {
  const { outcome } = attempts;
  const exitCode = runExitCode(outcome);
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
    status: `${judged.words ?? describeRunOutcome(outcome)}${stderrNote}${healNote}`,
    signal: runSignal(outcome),
    timedOut: outcome.kind === 'timed-out',
    idleTimedOut: outcome.kind === 'timed-out' && outcome.idle === true,
    skipped,
    paused,
    ...(check.pause && !check.pause.skip ? { silenced: check.pause.reason } : {}),
    ...(check.problem ? { silencesProblem: check.problem } : {}),
    stderrFailed,
    lockProblems,
    heal,
    verdict: verdictOf(judged.verdict, heal, lockProblems),
  };
}
