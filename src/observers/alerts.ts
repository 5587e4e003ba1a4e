import { alertsConfigured, type Settings } from '../config/options.js';
import type { Io } from '../io.js';
import { alertContext } from '../notify/alert-context.js';
import { NOTIFY_BUDGET_MS } from '../notify/channels.js';
import type { AlertsDone, StartPing } from '../notify/index.js';
import { stopReason } from '../net/http.js';
import { loadRemote } from '../remote/load.js';
import { noticeFacts } from '../report/notice-facts.js';
import { endPingBody, endPingEvent } from '../report/end-ping.js';
import { PING_BODY_BYTES, type PingEvent } from '../notify/ping.js';
import type { RunRecorder } from '../annotate/run-recorder.js';
import type { Observer } from '../run/events.js';
import type { NotificationRecord } from '../state/history.js';
import type { JobName } from '../util/job-name.js';

/** Every alert and the closing ping (its kind the event sent: `success`, `fail` or the exit status), as history records. */
function notificationRecords(done: AlertsDone, pingEvent: PingEvent): NotificationRecord[] {
  const { ping } = done;
  return [
    ...done.results.map((r) => ({ channel: r.channel, kind: r.kind, ok: r.ok, attempts: r.attempts, error: r.error ?? null, kept: r.kept, resent: r.resent })),
    ...(ping ? [{ channel: 'ping', kind: String(pingEvent), ok: ping.ok, attempts: ping.attempts, error: ping.error ?? null, kept: false, resent: false }] : []),
  ];
}

/**
 * Alerts by policy (re-sending kept ones first) and health-check pings: the start ping once the job may
 * run, alongside it; the closing ping (with the log's last 100 kB, kept by the recorder) once the start
 * settled, and alerts, within the 60 s budget. None when no channel and no ping is configured, so such
 * runs never load the network code.
 */
export function alertsObserver(settings: Settings, io: Io, stateDir: string, job: JobName, recorder: RunRecorder): Observer<'alerts'> | undefined {
  // The channels are configured from the settings with the alert code (notify/alert-channels.ts), loaded only when one is set.
  const alerting = alertsConfigured(settings);
  const ping = settings.ping;
  if (!alerting && !ping) return undefined;
  const logTail = ping ? recorder.keepLastBytes(PING_BODY_BYTES) : undefined;
  let start: StartPing | undefined;
  return {
    stage: 'alerts',
    on(event) {
      if (event.type === 'ready' && ping) start = new (loadRemote().StartPing)(ping, io.now);
    },
    async end({ summary, stop }) {
      const { durationWarning } = summary;
      const request = { settings, where: alertContext(io), stateDir, job, facts: noticeFacts(summary), verdict: summary.verdict, healed: summary.heal?.helped === true, stop, ...(durationWarning ? { durationWarning } : {}) };
      start?.runOver(stop);
      const endPing = start && logTail && { start, event: endPingEvent(summary), body: endPingBody(summary, logTail.bytes()) };
      const done = await loadRemote().finishRun(request, endPing);
      const late = done.results.some((r) => r.outOfTime);
      const stopped = stop.aborted && done.results.some((r) => !r.ok);
      const problems = [
        ...done.problems,
        ...(late ? [`alerts could not all be delivered within ${NOTIFY_BUDGET_MS / 1000}s; the rest are kept for the next run`] : []),
        ...(stopped ? [`${stopReason(stop)}: stopped sending; what was not sent is kept for the next run`] : []),
      ];
      const notifications = notificationRecords(done, endPingEvent(summary));
      return {
        results: { alerts: { alerting, notifications, ...(done.undelivered ? { undelivered: done.undelivered } : {}) } },
        ...(problems.length > 0 ? { problem: problems.join('; ') } : {}),
      };
    },
  };
}
