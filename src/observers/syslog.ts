import type { SyslogCopy } from '../annotate/syslog-copy.js';
import type { SyslogSeverity } from '../annotate/syslog-message.js';
import type { Observer } from '../run/events.js';
import type { Verdict } from '../state/history.js';

/** The end record's severity: a failed run's is an error, whatever its exit status said. */
const END_SEVERITY: Record<Verdict, SyslogSeverity> = { ok: 'info', warning: 'warning', failed: 'err', skipped: 'notice' };

/**
 * --syslog: before the footer is written, asks the relay what became of the run's records (at most a second),
 * so records syslog did not take are the footer's `syslog_problem` (and one stderr line), never a failed run.
 * The footer itself, the last record, goes after; the run closes the relay.
 */
export function syslogObserver(copy: SyslogCopy): Observer {
  return {
    stage: 'syslog',
    async end({ summary }) {
      copy.endsWith(END_SEVERITY[summary.verdict]);
      const problem = await copy.problem();
      return problem ? { problem } : undefined;
    },
  };
}
