// The delivery side of alerting (part of dist/remote.cjs, see remote/index.ts). It receives the resolved
// settings and configures the channels from them (alert-channels.ts, secrets read once per run); it never
// reads the config file itself.
import type { Budget, Delivery } from '../net/http.js';
import type { JobName } from '../util/job-name.js';
import { monotonicMs } from '../util/monotonic.js';
import type { Settings } from '../config/options.js';
import { NOTIFY_BUDGET_MS } from './channels.js';
import { errorCode } from '../errors.js';
import { channelOfSpool, channelSetup, keptTargets, targetsFor } from './alert-channels.js';
import { deliverAll, type ChannelResult, type Delivered, type Target } from './deliver.js';
import type { Notice } from './notice.js';
import { undeliveredText } from './undelivered.js';
import { sendPing, type PingEvent } from './ping.js';
import type { StartPing } from './start-ping.js';
import { keptGroups, type KeptGroup } from './kept-groups.js';
import { spoolUnreadable } from './spool.js';
import { decide, decideFinding, readAlertState, writeAlertState, type CheckFinding } from './policy.js';
import type { Verdict } from '../state/history.js';

export type { ChannelResult };
export { StartPing } from './start-ping.js';

/** The run as a notice tells it (kind, id and the counts in a row are the policy's). */
export type NoticeFacts = Omit<Notice, 'kind' | 'id' | 'consecutiveFailures' | 'consecutiveSkips'>;

export interface AlertRequest {
  /** The channels are configured from these (alert-channels.ts), with the run's host and environment; `now` is its wall clock (io.now). */
  settings: Settings;
  where: { host: string; env: NodeJS.ProcessEnv; now: () => number };
  /** The job whose alerts these are (its name fills the channels' templates). */
  job: string;
  stateDir: string;
  facts: NoticeFacts;
}

/** The targets of a request's settings. */
function targetsOf(request: Pick<AlertRequest, 'settings' | 'where' | 'job'>, keptOnly = false): Target[] {
  return targetsFor(request.settings, { ...request.where, job: request.job, keptOnly });
}

/** An alert told by the job's policy, whose state is the job's own file. */
export interface JobAlertRequest extends AlertRequest {
  job: JobName;
}

export interface RunForAlerts extends JobAlertRequest {
  verdict: Verdict;
  /** The verdict is a warning because `--on-failure` fixed a failure: no clean success (policy.ts). */
  healed?: boolean;
  /** A successful run far from its usual duration: a warning. */
  durationWarning?: string;
  /** Aborted when cronwrap is told to stop: what is not sent by then is kept. */
  stop?: AbortSignal;
}

export interface AlertsDone {
  results: ChannelResult[];
  ping: Delivery | undefined;
  /** The alert text, when some channel could not take it, headed by which and why: printed so cron's MAILTO still carries it. */
  undelivered: string | undefined;
  /** State that could not be used (a damaged kept alert, an unreadable policy file), in words. */
  problems: string[];
}

/** The 60 s every run's notifications share, from now; `wallNow` dates what is kept. */
function notifyBudget(wallNow: () => number): Budget {
  return { deadline: monotonicMs() + NOTIFY_BUDGET_MS, now: monotonicMs, wallNow };
}

/** How a run's end is pinged, after its start. */
export interface EndPing {
  start: StartPing;
  event: PingEvent;
  body: string;
}

/** After a run: decide by policy, send (and re-send kept alerts), and ping the end once the start settled. */
export async function finishRun(run: RunForAlerts, endPing: EndPing | undefined): Promise<AlertsDone> {
  const { settings, stateDir, job, facts } = run;
  const budget = { ...notifyBudget(run.where.now), ...(run.stop ? { stop: run.stop } : {}) };
  const targets = targetsOf(run);
  let notice: Notice | null = null;
  const problems: string[] = [];
  if (targets.length > 0) {
    const now = run.where.now();
    const { state, problem } = readAlertState(stateDir, job, now);
    if (problem) problems.push(problem);
    // An odd duration makes a successful run a warning: told once per streak of warnings, recovered from like one.
    const verdict = run.durationWarning && run.verdict === 'ok' ? 'warning' : run.verdict;
    const { kind, next } = decide(state, verdict, settings, now, run.healed === true);
    try {
      writeAlertState(stateDir, job, next);
    } catch (error) {
      problems.push(`cannot record the alert policy's state in ${stateDir}: ${errorCode(error)}`);
    }
    if (kind) {
      const skips = kind === 'skipped' ? { consecutiveSkips: next.skips ?? 1 } : {};
      const status = run.durationWarning ? `${facts.status}; ${run.durationWarning}` : facts.status;
      notice = { ...facts, status, kind, id: `${facts.run}-${kind}`, consecutiveFailures: next.failures, ...skips };
    }
  }
  // A skipped run never pinged /start (the ping starts with the job), so it sends nothing here. The end
  // waits for the start's answer: sent side by side, a server may handle the end first and see a run
  // that started and never ended.
  const base = settings.ping;
  const [delivered, ping] = await Promise.all([
    deliverAll(notice, targets, stateDir, { budget, keep: true }),
    base && endPing ? endPing.start.settled.then(() => sendPing(base, endPing.event, endPing.start.runId, endPing.body, budget)) : undefined,
  ]);
  const { results } = delivered;
  const failedNow = results.filter((r) => !r.resent && !r.ok);
  // A setup to fix (no sendmail to run) is said on stderr too, not only in the footer.
  const setups = targets.flatMap((target) => (target.problem && results.some((r) => r.channel === target.label && !r.ok) ? [target.problem] : []));
  return { results, ping, undelivered: notice && failedNow.length > 0 ? undeliveredText(notice, failedNow) : undefined, problems: [...problems, ...delivered.problems, ...setups] };
}

/**
 * `cronwrap check`: a run that never happened, or one far past its time, told through the job's channels
 * once per episode (the job's next good run tells the recovery). `sent` is false when this episode was told already.
 */
export async function alertFinding(request: JobAlertRequest, finding: CheckFinding): Promise<Delivered & { sent: boolean }> {
  const { stateDir, job, facts } = request;
  const now = request.where.now();
  const { state, problem } = readAlertState(stateDir, job, now);
  const { kind, next } = decideFinding(state, finding, now);
  const problems = problem ? [problem] : [];
  if (!kind) return { results: [], problems, sent: false };
  try {
    writeAlertState(stateDir, job, next);
  } catch (error) {
    problems.push(`cannot record the alert policy's state in ${stateDir}: ${errorCode(error)}`);
  }
  const notice: Notice = { ...facts, kind, id: `${facts.run}-${kind}`, consecutiveFailures: state.failures };
  const delivered = await deliverAll(notice, targetsOf(request), stateDir, { budget: notifyBudget(request.where.now), keep: true });
  return { ...delivered, problems: [...problems, ...delivered.problems], sent: true };
}

/**
 * `cronwrap test-alert`: a marked test through every configured channel, nothing kept. None configured:
 * `setup` says what each channel needs.
 */
export async function testAlert(request: AlertRequest): Promise<Delivered & { configured: boolean; setup: string }> {
  const notice: Notice = { ...request.facts, kind: 'test', id: `${request.facts.run}-test`, consecutiveFailures: 0 };
  const targets = targetsOf(request);
  return { ...(await deliverAll(notice, targets, request.stateDir, { budget: notifyBudget(request.where.now), keep: false })), configured: targets.length > 0, setup: channelSetup() };
}

/** Kept alerts still waiting after `flush`, by spool and destination, and why they wait. */
export interface LeftKept extends KeptGroup {
  why: string;
}

/**
 * `cronwrap flush`: re-sends every kept alert, due or not, through the channels configured now (credentials
 * read now), each to the destination it carries (recipients, incident); a spool its configured channels do not
 * cover, to the destination its alerts carry, where its channel keeps one (a webhook's URL). `left`: what is
 * still kept, by channel and destination, and why.
 */
export async function flushKept(request: Omit<AlertRequest, 'facts'>): Promise<Delivered & { left: LeftKept[]; unreadable?: string }> {
  const { stateDir } = request;
  const { now } = request.where;
  const unreadable = spoolUnreadable(stateDir);
  if (unreadable) return { results: [], problems: [], left: [], unreadable };
  const configured = targetsOf(request, true);
  const flagged = keptTargets(stateDir, configured, now());
  const targets = [...configured, ...flagged.targets];
  const delivered = await deliverAll(null, targets, stateDir, { budget: notifyBudget(now), keep: true, everyKept: true });
  const left = keptGroups(stateDir, now());
  const tried = new Set(targets.map((t) => t.id));
  const why = (spool: string) => (tried.has(spool) ? 'the channel did not take them (above)' : (channelOfSpool(spool)?.notConfigured ?? 'no channel keeps alerts there'));
  return { results: delivered.results, problems: [...flagged.damaged, ...delivered.problems, ...left.damaged], left: left.groups.map((group) => ({ ...group, why: why(group.channel) })) };
}
