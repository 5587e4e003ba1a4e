// The delivery side of alerting (part of dist/remote.cjs, see remote/index.ts). It receives channels
// resolved from the settings, secrets already read, and never reads the configuration itself.
import type { Delivery } from '../net/http.js';
import type { JobName } from '../util/job-name.js';
import { monotonicMs } from '../util/monotonic.js';
import { hasAlertChannels, NOTIFY_BUDGET_MS, type Channels } from './channels.js';
import { errorCode } from '../errors.js';
import { deliverAll, keptWebhookTargets, targetsFor, type ChannelResult, type Delivered } from './deliver.js';
import type { Notice } from './notice.js';
import { undeliveredText } from './undelivered.js';
import { sendPing, type PingEvent } from './ping.js';
import type { StartPing } from './start-ping.js';
import { keptGroups, type KeptGroup } from './kept-groups.js';
import { spoolUnreadable } from './spool.js';
import { decide, decideFinding, readAlertState, writeAlertState, type CheckFinding, type PolicyOptions } from './policy.js';
import type { Verdict } from '../state/history.js';

export type { ChannelResult };
export { StartPing } from './start-ping.js';

/** The run as a notice tells it (kind, id and the counts in a row are the policy's). */
export type NoticeFacts = Omit<Notice, 'kind' | 'id' | 'consecutiveFailures' | 'consecutiveSkips'>;

export interface AlertRequest {
  channels: Channels;
  stateDir: string;
  facts: NoticeFacts;
}

/** An alert told by the job's policy, whose state is the job's own file. */
export interface JobAlertRequest extends AlertRequest {
  job: JobName;
}

export interface RunForAlerts extends JobAlertRequest {
  policy: PolicyOptions;
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

/** The 60 s every run's notifications share, from now. */
function notifyBudget() {
  return { deadline: monotonicMs() + NOTIFY_BUDGET_MS, now: monotonicMs };
}

/** How a run's end is pinged, after its start. */
export interface EndPing {
  start: StartPing;
  event: PingEvent;
  body: string;
}

/** After a run: decide by policy, send (and re-send kept alerts), and ping the end once the start settled. */
export async function finishRun(run: RunForAlerts, endPing: EndPing | undefined): Promise<AlertsDone> {
  const { channels, stateDir, job, facts } = run;
  const budget = { ...notifyBudget(), ...(run.stop ? { stop: run.stop } : {}) };
  let notice: Notice | null = null;
  const problems: string[] = [];
  if (hasAlertChannels(channels)) {
    const { state, problem } = readAlertState(stateDir, job);
    if (problem) problems.push(problem);
    // An odd duration makes a successful run a warning: told once per streak of warnings, recovered from like one.
    const verdict = run.durationWarning && run.verdict === 'ok' ? 'warning' : run.verdict;
    const { kind, next } = decide(state, verdict, run.policy, Date.now(), run.healed === true);
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
  const base = channels.ping;
  const [delivered, ping] = await Promise.all([
    deliverAll(notice, targetsFor(channels), stateDir, { budget, keep: true }),
    base && endPing ? endPing.start.settled.then(() => sendPing(base, endPing.event, endPing.start.runId, endPing.body, budget)) : undefined,
  ]);
  const { results } = delivered;
  const failedNow = results.filter((r) => !r.resent && !r.ok);
  return { results, ping, undelivered: notice && failedNow.length > 0 ? undeliveredText(notice, failedNow) : undefined, problems: [...problems, ...delivered.problems] };
}

/**
 * `cronwrap check`: a run that never happened, or one far past its time, told through the job's channels
 * once per episode (the job's next good run tells the recovery). `sent` is false when this episode was told already.
 */
export async function alertFinding(request: JobAlertRequest, finding: CheckFinding): Promise<Delivered & { sent: boolean }> {
  const { channels, stateDir, job, facts } = request;
  const { state, problem } = readAlertState(stateDir, job);
  const { kind, next } = decideFinding(state, finding, Date.now());
  const problems = problem ? [problem] : [];
  if (!kind) return { results: [], problems, sent: false };
  try {
    writeAlertState(stateDir, job, next);
  } catch (error) {
    problems.push(`cannot record the alert policy's state in ${stateDir}: ${errorCode(error)}`);
  }
  const notice: Notice = { ...facts, kind, id: `${facts.run}-${kind}`, consecutiveFailures: state.failures };
  const delivered = await deliverAll(notice, targetsFor(channels), stateDir, { budget: notifyBudget(), keep: true });
  return { ...delivered, problems: [...problems, ...delivered.problems], sent: true };
}

/** `cronwrap test-alert`: a marked test through every configured channel, nothing kept. */
export async function testAlert(request: AlertRequest): Promise<Delivered & { configured: boolean }> {
  const notice: Notice = { ...request.facts, kind: 'test', id: `${request.facts.run}-test`, consecutiveFailures: 0 };
  const targets = targetsFor(request.channels);
  return { ...(await deliverAll(notice, targets, request.stateDir, { budget: notifyBudget(), keep: false })), configured: targets.length > 0 };
}

/**
 * `cronwrap flush`: re-sends every kept alert, due or not: mail and PagerDuty through the transport and
 * routing key configured now, to the recipients and incident each alert carries; a webhook to the URL its
 * alerts carry. `left`: what is still kept, by channel and destination.
 */
export async function flushKept(channels: Channels, stateDir: string): Promise<Delivered & { left: KeptGroup[]; configured: Set<string>; unreadable?: string }> {
  const unreadable = spoolUnreadable(stateDir);
  if (unreadable) return { results: [], problems: [], left: [], configured: new Set(), unreadable };
  const flagged = keptWebhookTargets(stateDir, channels);
  const targets = [...targetsFor(channels), ...flagged.targets];
  const delivered = await deliverAll(null, targets, stateDir, { budget: notifyBudget(), keep: true, everyKept: true });
  const left = keptGroups(stateDir);
  return { results: delivered.results, problems: [...flagged.damaged, ...delivered.problems, ...left.damaged], left: left.groups, configured: new Set(targets.map((t) => t.id)) };
}
