import type { Settings } from '../config/options.js';
import type { Budget, Delivery } from '../net/http.js';
import type { Check } from '../util/check.js';
import type { Backoff } from './kept-backoff.js';
import type { Notice } from './notice.js';

/**
 * What every kept alert holds, whatever its channel: its spool (`channel`), the notice, when it was kept and
 * its backoff (kept-backoff.ts). A channel's own record adds where it goes, never a credential.
 */
export type KeptAlert = Backoff & { channel: string; notice: Notice; keptAt: string };

/** What a channel is configured from besides the settings: the run's host and environment, the job's name. */
export interface ChannelContext {
  host: string;
  /** The environment a program a channel runs gets (sendmail): without cronwrap's secrets, as the job's. */
  env: NodeJS.ProcessEnv;
  job: string;
  /** `cronwrap flush`: only what re-sending kept alerts needs (a mail transport, not recipients: each kept mail has its own). */
  keptOnly: boolean;
}

/**
 * One alert channel, described once (a file of its own, one line in alert-channels.ts): how it is configured,
 * what it is told, how it sends, what a kept alert of it holds and how it is named to the operator.
 * `C` is one destination as this run resolved it (secrets read), `K` its kept alert.
 */
export interface AlertChannel<C, K extends KeptAlert> {
  /** Its name, in `test-alert` lines and the history. */
  name: string;
  /** The settings that make it, as `test-alert` asks for them when no channel is configured. */
  setup: string;
  /** Why kept alerts of it still wait after `flush`, when it is not configured now. */
  notConfigured: string;
  /** This run's destinations (none: not configured), credentials read once per run. */
  configure(settings: Settings, context: ChannelContext): C[];
  /** How a destination is named in messages; `all`: every destination of the channel this run (to tell twins apart). */
  label(config: C, all: readonly C[]): string;
  /** The spool directory its alerts to `config` are kept in (a name that holds no secret). */
  spool(config: C): string;
  /** Whether a spool directory is one of its own. */
  ownsSpool(spool: string): boolean;
  /** The alerts a notice becomes for `config` (none: this notice is not for it), kept in `spool` if they cannot go. */
  alertsFor(notice: Notice, config: C, spool: string, keptAt: string): K[];
  /** Sends one alert; `attempts`: 1 for a kept alert (a later run tries again), more for a run's own. Never throws. */
  send(alert: K, config: C, budget: Budget, attempts: number | undefined): Promise<Delivery>;
  /** A kept alert read back from its spool: only one with this channel's fields (root trusts nothing it did not make). */
  isKept: Check<K>;
  /**
   * Where it goes in the operator's words, never a credential nor a spool's hash; `label` when it was sent
   * to a destination configured this run (it may tell twins apart).
   */
  destination(alert: K, label?: string): string;
  /** The event a notice's alert is (one kept file per notice and event); default `send`. */
  event?(alert: K): string;
  /** What a result says it was: default the notice's kind. */
  kindOf?(alert: K): string;
  /** Alerts with one key must arrive in order (an incident's trigger before its resolve). */
  orderKey?(alert: K): string | undefined;
  /** What is kept of an alert after a delivery that went through in part (a mail put off for some recipients). */
  narrowed?(alert: K, delivery: Delivery): K;
  /** `flush`: a destination its kept alerts carry, when the settings name none (a webhook given on a job's line). */
  fromKept?(alert: K): C | undefined;
  /** A setup to fix, said on stderr too when the channel could not send (no sendmail to run). */
  problem?(config: C): string | undefined;
}
