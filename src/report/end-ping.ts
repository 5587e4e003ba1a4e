import { PING_BODY_BYTES, type PingEvent } from '../notify/ping.js';
import type { RunOutcome, RunSummary } from '../run/run-values.js';
import { escapeControl } from '../util/format.js';

/** Outcomes whose exit status is the command's own, as a shell's `$?` would give it. */
const OWN_STATUS: ReadonlySet<RunOutcome['kind']> = new Set(['exited', 'not-found', 'not-executable']);

/**
 * How healthchecks.io hears a run's end: success for a run that did its work (a warning too: the warning
 * goes to the alert channels), the command's exit status for a failed exit, and /fail for a failure that
 * has none (a signal, a timeout) or whose status is 0 (stderr with --stderr-fails, a lost lock), which
 * healthchecks would read as success.
 */
export function endPingEvent(summary: RunSummary): PingEvent {
  if (summary.verdict === 'ok' || summary.verdict === 'warning') return 'success';
  return OWN_STATUS.has(summary.outcome.kind) && summary.exitCode > 0 ? summary.exitCode : 'fail';
}

/** `bytes` from its first whole record on (from its first whole character when it holds no line end). */
function fromWholeRecord(bytes: Buffer): Buffer {
  const lineEnd = bytes.indexOf(0x0a);
  if (lineEnd !== -1 && lineEnd < bytes.length - 1) return bytes.subarray(lineEnd + 1);
  let start = 0;
  while (start < bytes.length && (bytes[start]! & 0xc0) === 0x80) start++;
  return bytes.subarray(start);
}

/**
 * A ping's body: the log's last records (control characters escaped, as in every alert) and a line that
 * says how the run ended (what a timeout or a signal otherwise leaves untold), at most PING_BODY_BYTES.
 * `logTail`: the last records as written; its first one may be cut.
 */
export function endPingBody(summary: RunSummary, logTail: Buffer): string {
  const last = `cronwrap: ${escapeControl(summary.status)} (cronwrap exits ${summary.exitCode})\n`;
  const room = PING_BODY_BYTES - Buffer.byteLength(last);
  const records = Buffer.from(escapeControl(logTail.toString('utf8')));
  const kept = records.length > room ? fromWholeRecord(records.subarray(Math.max(0, records.length - room))) : records;
  return `${kept.toString('utf8')}${last}`;
}
