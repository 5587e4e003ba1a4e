import type { Verdict } from '../state/history.js';
import type { RunOutcome } from './run-values.js';

/** What, besides the exit status, decides whether a run failed: `--ok-exit`, `--warn-exit`, `--stderr-fails`. */
export interface JudgingRules {
  okExit: readonly number[];
  warnExit: readonly number[];
  stderrFails: boolean;
}

export interface Judgement {
  verdict: Verdict;
  /** `--stderr-fails`: the command exited 0 but wrote to stderr. */
  stderrFailed: boolean;
  /** The outcome in words when a rule, not the exit status alone, decided (`exited with status 3 (a warning by --warn-exit)`). */
  words: string | undefined;
}

/**
 * How the command's own result counts, lock trouble aside: a skip is a skip; exit 0 is ok unless
 * `--stderr-fails` saw stderr; a status named by `--ok-exit` is ok and one named by `--warn-exit` a
 * warning (only a status the command exited with: a timeout or a signal stays a failure).
 */
export function judge(outcome: RunOutcome, stderrBytes: number, rules: JudgingRules): Judgement {
  if (outcome.kind === 'lock-busy' || outcome.kind === 'paused') return { verdict: 'skipped', stderrFailed: false, words: undefined };
  if (outcome.kind !== 'exited') return { verdict: 'failed', stderrFailed: false, words: undefined };
  const { code } = outcome;
  if (code === 0) {
    const stderrFailed = rules.stderrFails && stderrBytes > 0;
    return { verdict: stderrFailed ? 'failed' : 'ok', stderrFailed, words: undefined };
  }
  if (rules.okExit.includes(code)) return { verdict: 'ok', stderrFailed: false, words: `exited with status ${code} (a success by --ok-exit)` };
  if (rules.warnExit.includes(code)) return { verdict: 'warning', stderrFailed: false, words: `exited with status ${code} (a warning by --warn-exit)` };
  return { verdict: 'failed', stderrFailed: false, words: undefined };
}
