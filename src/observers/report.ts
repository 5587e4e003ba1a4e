import { print, warn } from '../output/console.js';
import { failureLine, failureReport } from '../report/failure-report.js';
import type { Observer } from '../run/events.js';
import type { Io } from '../io.js';

/**
 * What a person reading cron's mail gets on stdout: an alert no channel could take, and, when no alert
 * channel is configured, the failure (or warning) report (at a terminal, one line: the output was on the screen).
 */
export function reportObserver(io: Io): Observer {
  const printOrWarn = (text: string) => print(io.stdout, text) || warn(io.stderr, 'a report could not be printed on stdout');
  return {
    stage: 'report',
    end({ summary, results }) {
      const { alerts } = results;
      if (alerts?.undelivered) printOrWarn(`cronwrap: ${alerts.undelivered}`);
      // A failure with exit 0 (--stderr-fails, a run without its fleet lock) and a warning are reported
      // too; an --ok-exit status is not, nor a skip unless --lock-busy-exit gave it a status.
      const fine = summary.verdict === 'ok' || (summary.verdict === 'skipped' && summary.exitCode === 0);
      if (fine || alerts?.alerting) return undefined;
      if (io.stdoutIsTTY) warn(io.stderr, failureLine(summary));
      else printOrWarn(failureReport(summary));
      return undefined;
    },
  };
}
