import type { RunRecorder } from '../annotate/run-recorder.js';
import { warn } from '../output/console.js';
import type { LogFile } from '../output/log-file.js';
import { footerRecord, headerRecord } from '../report/footer.js';
import type { Observer } from '../run/events.js';
import type { Writer } from '../util/fd.js';

/**
 * The run's own records in its log: the header (and any config problem), notes for a jitter wait, a
 * skip, a retry, a heal or a signal passed on to the job, and the footer, which also tells what the observers before it did. Closes the log.
 */
export function logRecordsObserver(recorder: RunRecorder, log: LogFile, configErrors: readonly string[], drainMs: number, stderr: Writer): Observer {
  let job = '';
  return {
    stage: 'log',
    on(event) {
      switch (event.type) {
        case 'start':
          job = event.header.job;
          recorder.meta('start', headerRecord(event.header));
          for (const problem of configErrors) recorder.meta('config', { job, problem, effect: 'ignored; built-in or other settings used' });
          return;
        case 'wait':
          return recorder.meta('wait', { job, jitter_ms: event.jitterMs });
        case 'skip':
          return recorder.meta('skip', { job, reason: event.reason, ...(event.waitedMs !== undefined ? { waited_ms: event.waitedMs } : {}) });
        case 'retry':
          return recorder.meta('retry', { job, attempt: event.attempt, after: event.after, delay_ms: event.delayMs });
        case 'heal':
          return recorder.meta('heal', { job, after: event.after, command: event.command });
        case 'signal':
          return recorder.meta('signal', { job, signal: event.signal, group: event.group });
        case 'ready':
          return;
      }
    },
    end(ending) {
      const { summary } = ending;
      recorder.meta('end', footerRecord(summary, ending, drainMs));
      log.close();
      const { log: result } = summary;
      if (result.failure) warn(stderr, `${result.bytesNotLogged} bytes were not logged to ${result.path} (${result.failure}); they went to stderr`);
      return undefined;
    },
  };
}
