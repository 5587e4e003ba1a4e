import { commandSignal, describeOutcome, exitCodeOf } from '../process/outcome.js';
import type { RunOutcome } from './run-values.js';

// A skip (a busy lock, a pause) is the run's, not the command's: process/outcome.ts says the rest.

/** cronwrap's exit status for the run, exactly as in the contract's table. */
export function runExitCode(outcome: RunOutcome): number {
  if (outcome.kind === 'lock-busy') return outcome.exitCode;
  if (outcome.kind === 'paused') return 0;
  return exitCodeOf(outcome);
}

/** The run's outcome in plain words, for reports and log footers. */
export function describeRunOutcome(outcome: RunOutcome): string {
  if (outcome.kind === 'lock-busy' || outcome.kind === 'paused') return `skipped: ${outcome.reason}`;
  return describeOutcome(outcome);
}

/** The signal that ended the command itself, if one did (none when the run was skipped). */
export function runSignal(outcome: RunOutcome): NodeJS.Signals | null {
  if (outcome.kind === 'lock-busy' || outcome.kind === 'paused') return null;
  return commandSignal(outcome);
}
