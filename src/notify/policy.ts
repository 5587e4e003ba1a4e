import { readJobState, writeJobState, type ReadState } from '../state/job-state.js';
import type { Verdict } from '../state/history.js';
import type { JobName } from '../util/job-name.js';
import { arrayOf, isBoolean, isNumber, nullable, optional, shape } from '../util/check.js';
import type { NoticeKind } from './notice.js';

/** What the policy remembers about a job between runs: `<state>/alerts/<job>.json`. */
export interface AlertState {
  /** Runs in a row that failed (healed or not). */
  failures: number;
  /** A failure alert went out, so a recovery notice is due on the next success. */
  alerted: boolean;
  /** When the last failure or reminder alert went out (epoch ms). */
  lastAlertAt: number | null;
  /** Runs in a row skipped because the lock was busy (absent in files older than the count). */
  skips?: number;
  /** A skip alert went out, so a recovery notice is due once a run succeeds. */
  skipAlerted?: boolean;
  /** `cronwrap check` told that a run never happened: once per episode, and a recovery is due once one succeeds. */
  missedAlerted?: boolean;
  /** `cronwrap check` told that a run is stuck (far past its time): the same way. */
  stuckAlerted?: boolean;
  /** A warning went out (a --warn-exit status, a healed failure, an odd duration): a recovery is due once a run is plainly ok. */
  warned?: boolean;
  /** `--alert-after N/M`: the last runs, oldest first, 1 for failed and 0 for ok (skips are left out). */
  recent?: number[];
}

export interface PolicyOptions {
  alertAfter: { failures: number; window: number | undefined };
  alertAfterSkips: number;
  remindMs: number | undefined;
  notifySuccess: boolean;
}

/** What to tell about a run, and what to remember. */
type Decision = { kind: NoticeKind | null; next: AlertState };

const FRESH: AlertState = { failures: 0, alerted: false, lastAlertAt: null };

/** The last `window` runs with this one added (1 failed, 0 ok); none kept without a window. */
function recentRuns(state: AlertState, failed: boolean, window: number | undefined): number[] | undefined {
  return window === undefined ? undefined : [...(state.recent ?? []), failed ? 1 : 0].slice(-window);
}

const failuresIn = (recent: readonly number[]) => recent.reduce((sum, failed) => sum + failed, 0);

/**
 * Whom to tell about a run, and what to remember: alert when `alertAfter.failures` runs in a row have
 * failed, or, with a window (`--alert-after 3/10`), when that many of the last `window` runs did; remind
 * at most once per `remindMs` while it keeps failing, tell once when it recovers (with a window: once
 * fewer than that many of the last runs failed, so a flapping job is not told at every success). Skips for
 * a busy lock are counted apart: one alert once `alertAfterSkips` came in a row (an earlier run is stuck),
 * never one per skip, and they neither break nor lengthen a failing streak. A `healed` run (a warning
 * because `--on-failure` fixed a failure) is no clean success: it lengthens the streak of failures and
 * leaves a told failure's episode open (no recovery until a run succeeds without a heal).
 */
export function decide(state: AlertState, verdict: Verdict, options: PolicyOptions, now: number, healed = false): Decision {
  const { failures: threshold, window } = options.alertAfter;
  if (verdict === 'ok' || verdict === 'warning') {
    const recent = recentRuns(state, false, window);
    const withRecent = recent ? { recent } : {};
    if (recent && state.alerted && failuresIn(recent) >= threshold) {
      // Still over the rate: the episode goes on (the streak is over, the rate is not).
      return { kind: null, next: { ...state, failures: 0, skips: 0, skipAlerted: false, ...withRecent } };
    }
    // A heal covered this run's failure: no clean success, so a told failure goes on untold and the streak is counted on.
    if (healed && state.alerted) return { kind: null, next: { ...state, failures: state.failures + 1, skips: 0, skipAlerted: false, ...withRecent } };
    const due = state.alerted || state.skipAlerted || state.missedAlerted || state.stuckAlerted;
    // A warning after a failure ends the failure's episode: told as its recovery, the status says the warning.
    const decided: Decision =
      verdict === 'warning' && !due ? warningDecision(state, options, now, withRecent) : { kind: due || state.warned ? 'recovery' : options.notifySuccess ? 'success' : null, next: { ...FRESH, ...withRecent } };
    return healed ? { kind: decided.kind, next: { ...decided.next, failures: state.failures + 1 } } : decided;
  }
  if (verdict === 'skipped') {
    const skips = (state.skips ?? 0) + 1;
    if (skips < options.alertAfterSkips || state.skipAlerted) return { kind: null, next: { ...state, skips } };
    return { kind: 'skipped', next: { ...state, skips, skipAlerted: true, lastAlertAt: now } };
  }
  const failures = state.failures + 1;
  const recent = recentRuns(state, true, window);
  const ran = { ...state, failures, skips: 0, ...(recent ? { recent } : {}) };
  if ((recent ? failuresIn(recent) : failures) < threshold) return { kind: null, next: ran };
  if (!state.alerted) return { kind: 'failure', next: { ...ran, alerted: true, lastAlertAt: now } };
  if (remindDue(state, options, now)) return { kind: 'reminder', next: { ...ran, lastAlertAt: now } };
  return { kind: null, next: ran };
}

/**
 * `--remind`: the last alert went out at least `remindMs` ago. One dated in the future cannot be trusted
 * (the clock was stepped back since): a reminder is due, and its time starts the count afresh, where
 * waiting for the clock to catch up would have silenced reminders for as long as the step.
 */
function remindDue(state: AlertState, options: PolicyOptions, now: number): boolean {
  const last = state.lastAlertAt;
  return options.remindMs !== undefined && last !== null && (last > now || now - last >= options.remindMs);
}

/** Warnings are told once per streak of them, like failures, and again at most once per `remindMs`. */
function warningDecision(state: AlertState, options: PolicyOptions, now: number, withRecent: { recent?: number[] }): Decision {
  const base = { ...FRESH, ...withRecent, warned: true };
  if (!state.warned) return { kind: 'warning', next: { ...base, lastAlertAt: now } };
  return remindDue(state, options, now) ? { kind: 'warning', next: { ...base, lastAlertAt: now } } : { kind: null, next: { ...base, lastAlertAt: state.lastAlertAt } };
}

const isAlertState = shape<AlertState>({
  failures: isNumber,
  alerted: isBoolean,
  lastAlertAt: nullable(isNumber),
  skips: optional(isNumber),
  skipAlerted: optional(isBoolean),
  missedAlerted: optional(isBoolean),
  stuckAlerted: optional(isBoolean),
  warned: optional(isBoolean),
  recent: optional(arrayOf((value: unknown) => value === 0 || value === 1)),
});

/** What `cronwrap check` finds: a run that never happened, or one far past its time. */
export type CheckFinding = 'missed' | 'stuck';

/** `cronwrap check` found something: tell it once per episode (the job's next good run ends it). */
export function decideFinding(state: AlertState, finding: CheckFinding, now: number): { kind: CheckFinding | null; next: AlertState } {
  const flag = finding === 'missed' ? 'missedAlerted' : 'stuckAlerted';
  return state[flag] ? { kind: null, next: state } : { kind: finding, next: { ...state, [flag]: true, lastAlertAt: now } };
}

/** The job's alert state; a damaged file is moved aside under `now` (wall-clock ms). */
export function readAlertState(stateDir: string, job: JobName, now: number): ReadState<AlertState> {
  return readJobState(stateDir, 'alerts', job, FRESH, isAlertState, now);
}

export function writeAlertState(stateDir: string, job: JobName, state: AlertState): void {
  writeJobState(stateDir, 'alerts', job, state);
}
