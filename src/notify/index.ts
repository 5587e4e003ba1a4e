// The delivery side of alerting (part of dist/remote.cjs, see remote/index.ts).
import { randomUUID } from 'node:crypto';
import type { Settings } from '../cli/options.js';
import { monotonicMs } from '../monotonic.js';
import { configuredChannels, hasAlertChannels, NOTIFY_BUDGET_MS } from './channels.js';
import { deliverAll, targetsFor, type ChannelResult } from './deliver.js';
import type { Delivery } from './http-post.js';
import { bodyOf, tailText, type Notice, type NoticeKind } from './notice.js';
import { sendPing, type PingEvent } from './ping.js';
import { decide, readAlertState, writeAlertState } from './policy.js';

const PING_BODY_BYTES = 10 * 1024;

export type { ChannelResult };

export interface RunForAlerts {
  settings: Settings;
  env: NodeJS.ProcessEnv;
  stateDir: string;
  /** The run as a notice would tell it (kind and id are the policy's). */
  facts: Omit<Notice, 'kind' | 'id' | 'consecutiveFailures'>;
  failed: boolean;
}

export interface AlertsDone {
  kind: NoticeKind | null;
  results: ChannelResult[];
  ping: Delivery | undefined;
  /** The alert text, when some channel could not take it: printed so cron's MAILTO still carries it. */
  undelivered: string | undefined;
}

/** A run id for healthchecks.io (it wants a UUID). */
export function newPingRunId(): string {
  return randomUUID();
}

/** Sends URL/start; meant to run alongside the job. */
export function pingStart(base: string, pingRunId: string): Promise<Delivery> {
  return sendPing(base, 'start', pingRunId, '', monotonicMs() + 10_000, monotonicMs);
}

/** After a run: decide by policy, send (and re-send kept alerts), and ping success or failure. */
export async function finishRun(run: RunForAlerts, pingRunId: string | undefined): Promise<AlertsDone> {
  const { settings, stateDir, facts } = run;
  const deadline = monotonicMs() + NOTIFY_BUDGET_MS;
  const channels = configuredChannels(settings, run.env, facts.host, facts.job);
  let kind: NoticeKind | null = null;
  let consecutiveFailures = 0;
  if (hasAlertChannels(channels)) {
    const decision = decide(readAlertState(stateDir, facts.job), run.failed, settings, Date.now());
    writeAlertState(stateDir, facts.job, decision.next);
    kind = decision.kind;
    consecutiveFailures = decision.next.failures || (run.failed ? 1 : 0);
  }
  const notice: Notice | null = kind ? { ...facts, kind, id: `${facts.run}-${kind}`, consecutiveFailures } : null;
  const pingEvent: PingEvent = run.failed ? 'fail' : 'success';
  const [results, ping] = await Promise.all([
    deliverAll(notice, targetsFor(channels, settings, deadline, monotonicMs), stateDir, true),
    channels.ping && pingRunId ? sendPing(channels.ping, pingEvent, pingRunId, tailText({ ...facts } as Notice, PING_BODY_BYTES), deadline, monotonicMs) : undefined,
  ]);
  const failedNow = results.filter((r) => !r.resent && !r.ok);
  return { kind, results, ping, undelivered: notice && failedNow.length > 0 ? bodyOf(notice) : undefined };
}

/** `cronwrap test-alert`: a marked test through every configured channel, nothing kept. */
export async function testAlert(run: RunForAlerts): Promise<{ results: ChannelResult[]; configured: boolean }> {
  const { settings, facts } = run;
  const channels = configuredChannels(settings, run.env, facts.host, facts.job);
  const notice: Notice = { ...facts, kind: 'test', id: `${facts.run}-test`, consecutiveFailures: 0 };
  const targets = targetsFor(channels, settings, monotonicMs() + NOTIFY_BUDGET_MS, monotonicMs);
  return { results: await deliverAll(notice, targets, run.stateDir, false), configured: targets.length > 0 };
}

/** `cronwrap flush`: re-sends kept alerts through the channels configured now. */
export async function flushKept(run: RunForAlerts): Promise<ChannelResult[]> {
  const channels = configuredChannels(run.settings, run.env, run.facts.host, run.facts.job);
  return deliverAll(null, targetsFor(channels, run.settings, monotonicMs() + NOTIFY_BUDGET_MS, monotonicMs), run.stateDir, true);
}
