import type { Settings } from '../cli/options.js';
import type { Io } from '../io.js';
import { loadRemote } from '../remote/load.js';
import type { RunForAlerts } from '../notify/index.js';
import { writeAll } from '../output/fd-writer.js';
import { newRunId } from '../run/run-id.js';

function print(text: string): void {
  writeAll(1, Buffer.from(text));
}

function testFacts(settings: Settings, io: Io, stateDir: string): RunForAlerts {
  const now = new Date(io.now()).toISOString();
  return {
    settings,
    env: io.env,
    stateDir,
    failed: false,
    facts: {
      job: settings.name ?? 'test',
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
    },
  };
}

/** `cronwrap test-alert`: one line per channel, `ok` or the error in words; exit 0 only if all succeeded. */
export async function runTestAlert(settings: Settings, stateDir: string, io: Io): Promise<number> {
  const { results, configured } = await loadRemote().testAlert(testFacts(settings, io, stateDir));
  if (!configured) {
    writeAll(2, Buffer.from('cronwrap: no alert channel is configured: set --mail-to (or MAILTO) with CRONWRAP_SMTP_URL or a local sendmail, CRONWRAP_PAGERDUTY_ROUTING_KEY, or --webhook\n'));
    return 1;
  }
  for (const r of results) print(`${r.channel} ${r.kind}: ${r.ok ? 'ok' : `FAILED: ${r.error ?? 'unknown error'}`}\n`);
  return results.every((r) => r.ok) ? 0 : 1;
}

/** `cronwrap flush`: re-sends kept alerts; exit 0 when none is left waiting. */
export async function runFlush(settings: Settings, stateDir: string, io: Io): Promise<number> {
  const results = await loadRemote().flushKept(testFacts(settings, io, stateDir));
  for (const r of results) print(`${r.channel} ${r.kind} (job ${r.job}): ${r.ok ? 'sent' : `still kept: ${r.error ?? 'unknown error'}`}\n`);
  if (results.length === 0) print('no kept alerts to send through the channels configured now\n');
  return results.every((r) => r.ok) ? 0 : 1;
}
