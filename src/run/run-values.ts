import type { OutputFacts } from '../annotate/run-recorder.js';
import type { Outcome } from '../process/outcome.js';
import type { Verdict } from '../state/history.js';
import type { ProcessInfo } from '../util/proc.js';

// The values one run is made of, apart from the steps that compute them (prepare, attempts, heal, summary),
// which import them from here: so no step imports another for its types, and the steps form no cycle.

/** The run's header: who runs what, where, from when. */
export interface RunHeader {
  job: string;
  run: string;
  host: string;
  user: string;
  pid: number;
  command: readonly string[];
  /** Wall-clock start (ms). */
  startMs: number;
}

/**
 * Why the run is paused: `cronwrap pause JOB` on this host, or an Alertmanager silence that names the job
 * (run/pause-check.ts). Paused, a run alerts, pings, reports and heals nothing.
 */
export interface RunPause {
  /** The run does not start (exit 0, history `paused`); else it runs silenced. */
  skip: boolean;
  /** Which pause, by whom, until when, why, and how to end it: for the skip record, the footer and the history. */
  reason: string;
}

/** The pause found at the start of a run, and what went wrong asking for one (Alertmanager unreachable: no pause). */
export interface PauseCheck {
  pause?: RunPause;
  problem?: string;
}

/** How the run ended: the command's outcome, or a skip before it could start. */
export type RunOutcome =
  | Outcome
  /** `--lock`/`--lock-redis`: another run held the lock (or Redis could not say), so this one did not start. */
  | { kind: 'lock-busy'; exitCode: number; reason: string }
  /** `cronwrap pause JOB`: the job is paused, so this run did not start (exit 0). */
  | { kind: 'paused'; reason: string };

/** What the attempts of one run came to. */
export interface AttemptsResult {
  outcome: RunOutcome;
  /** How many times the command ran (1 + retries used; 0 when it never started). */
  attempts: number;
  /** The output pipes were still held open when the drain grace ended. */
  drainExpired: boolean;
  leftovers: ProcessInfo[];
  leftoversEnded: boolean;
}

/** What `--on-failure` did after a failed run, for the verdict, the footer, the history and the alerts. */
export interface HealReport {
  /** The heal command ran (false: held back by the cooldown or the budget). */
  ran: boolean;
  /** The heal command's exit status, when it ran and exited. */
  exit: number | null;
  /** With `--heal-retry`: the job ran once more after the heal. */
  retried: boolean;
  /** The failure counts as a warning: the heal exited 0 (and the re-run succeeded), and no earlier heal since the last success failed to help. */
  helped: boolean;
  /** In words: `healed by --on-failure (exit 0 in 1.2s)`, `not healed: …`. */
  text: string;
  /** The heal state could not be read or written. */
  problem?: string;
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
  /** It did not start because the job is paused (`cronwrap pause`, or an Alertmanager silence that says `skip:`). */
  paused: boolean;
  /** It ran silenced (`cronwrap pause --silence`, or an Alertmanager silence): why, in words. */
  silenced?: string;
  /** Whether a silence applies could not be told (Alertmanager unreachable, slow, a bad answer): the run went on unsilenced. */
  silencesProblem?: string;
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
