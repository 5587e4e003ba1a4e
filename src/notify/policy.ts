import { readJobState, writeJobState, type ReadState } from '../state/job-state.js';
import { isBoolean, isNumber, nullable, shape } from '../util/check.js';
import type { NoticeKind } from './notice.js';

/** What the policy remembers about a job between runs: `<state>/alerts/<job>.json`. */
export interface AlertState {
  /** Runs in a row that failed (or were skipped for the lock). */
  failures: number;
  /** A failure alert went out, so a recovery notice is due on the next success. */
  alerted: boolean;
  /** When the last failure or reminder alert went out (epoch ms). */
  lastAlertAt: number | null;
}

export interface PolicyOptions {
  alertAfter: number;
  remindMs: number | undefined;
  notifySuccess: boolean;
}

const FRESH: AlertState = { failures: 0, alerted: false, lastAlertAt: null };

/**
 * Whom to tell about a run, and what to remember: alert when `alertAfter` runs in a row have failed,
 * remind at most once per `remindMs` while it keeps failing, tell once when it recovers.
 */
export function decide(state: AlertState, failed: boolean, options: PolicyOptions, now: number): { kind: NoticeKind | null; next: AlertState } {
  if (!failed) {
    return { kind: state.alerted ? 'recovery' : options.notifySuccess ? 'success' : null, next: FRESH };
  }
  const failures = state.failures + 1;
  if (failures < options.alertAfter) return { kind: null, next: { ...state, failures } };
  if (!state.alerted) return { kind: 'failure', next: { failures, alerted: true, lastAlertAt: now } };
  if (options.remindMs !== undefined && state.lastAlertAt !== null && now - state.lastAlertAt >= options.remindMs) {
    return { kind: 'reminder', next: { failures, alerted: true, lastAlertAt: now } };
  }
  return { kind: null, next: { ...state, failures } };
}

const isAlertState = shape<AlertState>({ failures: isNumber, alerted: isBoolean, lastAlertAt: nullable(isNumber) });

export function readAlertState(stateDir: string, job: string): ReadState<AlertState> {
  return readJobState(stateDir, 'alerts', job, FRESH, isAlertState);
}

export function writeAlertState(stateDir: string, job: string, state: AlertState): void {
  writeJobState(stateDir, 'alerts', job, state);
}
