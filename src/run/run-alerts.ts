import type { Settings } from '../cli/options.js';
import type { Io } from '../io.js';
import { configuredChannels, hasAlertChannels, NOTIFY_BUDGET_MS } from '../notify/channels.js';
import type { AlertsDone, RunForAlerts } from '../notify/index.js';
import { warn } from '../output/console.js';
import { loadRemote } from '../remote/load.js';
import type { NotificationRecord } from '../state/history.js';

export interface RunAlerts extends Partial<AlertsDone> {
  /** Alert channels are configured, so the policy (not the stdout report) tells people. */
  alerting: boolean;
}

/**
 * After a run: alerts by policy (re-sending kept ones first) and the closing ping, within the 60 s budget.
 * Loads the network code only when a channel or a ping is configured.
 */
export async function alertAfterRun(
  settings: Settings,
  io: Io,
  stateDir: string,
  failed: boolean,
  ping: { runId: string; started: Promise<unknown> } | undefined,
  facts: RunForAlerts['facts'],
): Promise<RunAlerts> {
  const alerting = hasAlertChannels(configuredChannels(settings, io.env, io.host, facts.job));
  if (!alerting && !ping) return { alerting };
  const done = await loadRemote().finishRun({ settings, env: io.env, stateDir, failed, facts }, ping?.runId);
  await ping?.started;
  if (done.results.some((r) => r.error?.includes('no time left'))) {
    warn(`alerts could not all be delivered within ${NOTIFY_BUDGET_MS / 1000}s; the rest are kept for the next run`);
  }
  return { alerting, ...done };
}

/** One line per alert and ping for the log footer: `email failure: ok`, `ping: connection refused`. */
export function describeNotifications(alerts: RunAlerts): string[] {
  const lines = (alerts.results ?? []).map((r) => `${r.channel} ${r.kind}${r.resent ? ' resent' : ''}: ${r.ok ? 'ok' : `${r.error ?? 'failed'}${r.kept ? ' (kept)' : ''}`}`);
  if (alerts.ping) lines.push(`ping: ${alerts.ping.ok ? 'ok' : (alerts.ping.error ?? 'failed')}`);
  return lines;
}

/** The same, as history records. */
export function notificationRecords(alerts: RunAlerts, failed: boolean): NotificationRecord[] {
  return [
    ...(alerts.results ?? []).map((r) => ({ channel: r.channel, kind: r.kind, ok: r.ok, attempts: r.attempts, error: r.error ?? null, kept: r.kept, resent: r.resent })),
    ...(alerts.ping ? [{ channel: 'ping', kind: failed ? 'fail' : 'success', ok: alerts.ping.ok, attempts: alerts.ping.attempts, error: alerts.ping.error ?? null, kept: false, resent: false }] : []),
  ];
}
