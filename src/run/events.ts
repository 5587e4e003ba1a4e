import type { NeverEndedRun, NotificationRecord } from '../state/history.js';
import type { RunHeader, RunSummary } from './run-values.js';

/** What happens during a run, in order. The end is not an event but `Observer.end`, which gets the summary. */
export type RunEvent =
  | { type: 'start'; header: RunHeader }
  /** `--jitter`: the run waits this long before it starts. */
  | { type: 'wait'; jitterMs: number }
  /** The run does not start: a lock is busy (or the fleet lock could not be had). */
  | { type: 'skip'; reason: string; waitedMs?: number }
  /** Locks are held: the command is about to start. */
  | { type: 'ready' }
  | { type: 'retry'; attempt: number; after: string; delayMs: number }
  /** `--on-failure`: the heal command starts after the failure `after`. */
  | { type: 'heal'; after: string; command: string }
  /** cronwrap got `signal` (one meant for the job) and passed it on to the running command's process group. */
  | { type: 'signal'; signal: NodeJS.Signals; group: number };

/** What the alerts stage did, for the history, the footer and the stdout report. */
export interface AlertsResult {
  /** Alerts and pings sent, and how each went. */
  notifications: readonly NotificationRecord[];
  /** Alert text some channel could not take: printed on stdout, so cron's MAILTO still carries it. */
  undelivered?: string;
  /** Alert channels are configured, so they (not the stdout report) tell people. */
  alerting: boolean;
}

/**
 * What a stage hands the stages after it, under its own stage's name: the compiler, not a name in a
 * string, links each producer (its observer's `end`) to its readers. A stage that failed hands nothing.
 */
export interface StageResults {
  /** Earlier runs of the job whose cronwrap died before their end, found (and cleared) now. */
  never_ended: readonly NeverEndedRun[];
  alerts: AlertsResult;
}

/** Why a stage fell short; a failure the guard caught becomes one too. */
export interface StageProblem {
  stage: string;
  problem: string;
}

/** What one observer's end says: what it hands on (only under its own stage's name), and why it fell short. */
export interface StageEnd<S extends string = string> {
  results?: Partial<Pick<StageResults, Extract<keyof StageResults, S>> & Record<Exclude<keyof StageResults, S>, never>>;
  problem?: string;
}

/** What the stages before an observer did: what they handed on, and their problems in the order they ended. */
export interface StagesBefore {
  results: Partial<StageResults>;
  problems: readonly StageProblem[];
}

/** The run as the observers after the job see it: the summary, and what the observers before did. */
export interface RunEnding extends StagesBefore {
  summary: RunSummary;
  /** Aborts a few seconds after cronwrap is told to stop (at once on a second signal): network work gives up then. */
  stop: AbortSignal;
}

/**
 * Something that reacts to a run: the log's records, history, metrics, alerts, the stdout report.
 * Each sits behind the guard (run/observers.ts): what it throws is reported and never costs the job's
 * exit status. Adding a reaction is one new observer and one line in observers/index.ts.
 */
export interface Observer<S extends string = string> {
  /** Named in messages: `cronwrap: <stage>: <reason>`; the key of what it hands on (StageResults). */
  readonly stage: S;
  on?(event: RunEvent): void;
  end?(ending: RunEnding): StageEnd<S> | undefined | Promise<StageEnd<S> | undefined>;
}
