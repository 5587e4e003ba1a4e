import type { Settings } from '../config/options.js';
import type { Io } from '../io.js';
import { alertContext } from '../notify/alert-context.js';
import type { NoticeFacts } from '../notify/index.js';
import { print, printLine, warn } from '../output/console.js';
import { loadRemote } from '../remote/load.js';
import { newRunId } from '../util/run-id.js';
import { ALERT_KEYS } from '../config/options.js';
import { subcommand } from './subcommand.js';

function testFacts(job: string, io: Io): NoticeFacts {
  const now = new Date(io.now()).toISOString();
  return {
    job,
    host: io.host,
    user: io.user,
    run: newRunId(),
    command: ['cronwrap', 'test-alert'],
    start: now,
    end: now,
    durationMs: 0,
    exitCode: 0,
    status: 'test alert: nothing failed',
    signal: null,
    timedOut: false,
    attempts: 0,
    logPath: '(none: this is a test)',
    head: [],
    tail: ['this is a test alert sent by cronwrap test-alert'],
    totalLines: 1,
  };
}

/** `cronwrap test-alert`: one line per channel, `ok` or the error in words; exit 0 only if all succeeded. */
export async function runTestAlert(settings: Settings, stateDir: string, io: Io): Promise<number> {
  const job = settings.name ?? 'test';
  const { results, configured, setup, problems } = await loadRemote().testAlert({ settings, where: alertContext(io), job, stateDir, facts: testFacts(job, io) });
  for (const problem of problems) warn(io.stderr, problem);
  if (!configured) {
    print(io.stderr, `cronwrap: no alert channel is configured: set ${setup}\n`);
    return 1;
  }
  for (const r of results) printLine(io.stdout, `${r.channel} ${r.kind}: ${r.ok ? 'ok' : `FAILED: ${r.error ?? 'unknown error'}`}`);
  return results.every((r) => r.ok) ? 0 : 1;
}

/** `cronwrap flush`: re-sends kept alerts; exit 0 when none is left waiting. */
export async function runFlush(settings: Settings, stateDir: string, io: Io): Promise<number> {
  const { results, problems, left, unreadable } = await loadRemote().flushKept({ settings, where: alertContext(io), job: settings.name ?? 'test', stateDir });
  if (unreadable) {
    // Not "no kept alerts": another user's (root's) may be there; they are flushed by the user who kept them.
    print(io.stderr, `cronwrap: ${unreadable}: flush as the user whose jobs kept them (their state directory)\n`);
    return 1;
  }
  for (const problem of problems) warn(io.stderr, problem);
  for (const r of results) printLine(io.stdout, `${r.destination} ${r.kind} (job ${r.job}): ${r.ok ? 'sent' : `${r.kept ? 'still kept' : 'dropped'}: ${r.error ?? 'unknown error'}`}`);
  for (const { destination, count, why } of left) {
    printLine(io.stdout, `${count} kept ${count === 1 ? 'alert' : 'alerts'} for ${destination} ${count === 1 ? 'waits' : 'wait'}: ${why}`);
  }
  if (results.length === 0 && left.length === 0) print(io.stdout, 'no kept alerts\n');
  return left.length === 0 ? 0 : 1;
}

export const testAlert = subcommand({
  name: 'test-alert',
  summary: { synopsis: 'test-alert [--name JOB]', text: 'send a test alert through every configured channel' },
  description: 'Send a clearly marked test alert through every configured channel; one line per channel; exit 0 only if all succeeded.',
  settings: ['stateDir', 'name', 'config', ...ALERT_KEYS],
  readsState: false,
  values: () => ({}),
  run: (_call, { settings, stateDir, io }) => runTestAlert(settings, stateDir, io),
});

export const flush = subcommand({
  name: 'flush',
  summary: { synopsis: 'flush', text: 're-send every kept alert now, whatever its backoff' },
  description: 'Re-send the alerts kept because they could not be delivered, through the channels configured now; exit 1 while any remain kept.',
  settings: ['stateDir', 'name', 'config', ...ALERT_KEYS],
  readsState: true,
  values: () => ({}),
  run: (_call, { settings, stateDir, io }) => runFlush(settings, stateDir, io),
});
