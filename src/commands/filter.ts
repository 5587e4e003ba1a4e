import { readSync } from 'node:fs';
import { jsonFormat, textFormat } from '../annotate/record-format.js';
import { RunRecorder } from '../annotate/run-recorder.js';
import { syslogCopy } from '../annotate/syslog-copy.js';
import { createStamper, rfc3339Clock } from '../annotate/timestamp.js';
import type { Settings } from '../config/options.js';
import { errorCode } from '../errors.js';
import type { Io } from '../io.js';
import { ConsoleOutput, warn } from '../output/console.js';
import { openRunLog } from '../output/log-file.js';
import { outputWriter } from '../output/terminal-safe.js';
import { headerRecord } from '../report/footer.js';
import { retryWhileBusy } from '../util/fd.js';
import { preciseWallAnchor, processStartMs } from '../util/monotonic.js';
import { newRunId } from '../util/run-id.js';

/** cronwrap's status when stdout closed under it and nothing else wanted the input, as `ts` would die: 128 + SIGPIPE. */
const EXIT_BROKEN_PIPE = 141;
const READ_SIZE = 1024 * 1024;

/**
 * Reads stdin synchronously: filter mode has nothing else to wait for, and a blocking read costs far less
 * per chunk than a trip through the thread pool. Returns 0 at end of input.
 */
function readChunk(fd: number, buffer: Buffer): number {
  return retryWhileBusy(() => readSync(fd, buffer, 0, buffer.length, null));
}

/** Filter mode: annotates stdin, as one stream, to stdout and to `--log` (and syslog). Returns the exit status. */
export async function runFilter(settings: Settings, job: string, io: Io): Promise<number> {
  // Spans (elapsed, delta, the duration) count from the process's start, as `ts -s` does: in `producer |
  // cronwrap` the producer writes while Node still loads. What waits in the pipe by the first read is
  // stamped with that read's time: when it was written cannot be known.
  const startMono = processStartMs();
  const startWall = io.now() - (io.mono() - startMono);
  const run = newRunId();
  const console = settings.quiet ? undefined : new ConsoleOutput(outputWriter(io.stdout, io.stdoutIsTTY));
  const log = settings.log === undefined ? undefined : openRunLog(settings.log, console, io.stderr);
  const syslog = syslogCopy(settings, { job, run, host: io.host, pid: process.pid }, io.now);
  const recorder = new RunRecorder({
    io,
    format: settings.json ? jsonFormat({ job, run, host: io.host }, rfc3339Clock(settings.timestamp, io.now)) : textFormat,
    stamper: createStamper(settings.timestamp, startMono, () => preciseWallAnchor(io.now)),
    log,
    console,
    copy: syslog,
  });
  recorder.meta('start', headerRecord({ job, run, host: io.host, user: io.user, pid: process.pid, command: ['(stdin)'], startMs: startWall }));

  const buffer = Buffer.allocUnsafe(READ_SIZE);
  let exitCode = 0;
  let readError: string | undefined;
  for (;;) {
    let bytes: number;
    try {
      bytes = readChunk(0, buffer);
    } catch (error) {
      readError = errorCode(error);
      warn(io.stderr, `cannot read stdin: ${readError}`);
      exitCode = 1;
      break;
    }
    if (bytes === 0) break;
    recorder.push('out', buffer.subarray(0, bytes));
    // The reads are synchronous: a turn of the event loop lets the pipe to the syslog relay drain (once per read).
    if (syslog?.lagging) await new Promise(setImmediate);
    if (console && !console.active && !log) {
      exitCode = EXIT_BROKEN_PIPE;
      break;
    }
  }
  recorder.endStreams();

  const counts = recorder.counts('out');
  const logResult = log?.result;
  const syslogProblem = await syslog?.problem();
  if (syslogProblem) warn(io.stderr, `syslog: ${syslogProblem}`);
  recorder.meta('end', {
    job,
    run,
    exit: exitCode,
    end: new Date(io.now()).toISOString(),
    duration_ms: Math.round(io.mono() - startMono),
    stdin_lines: counts.lines,
    stdin_bytes: counts.bytes,
    not_logged_bytes: logResult?.bytesNotLogged ?? 0,
    ...(logResult?.failure ? { not_logged_reason: logResult.failure } : {}),
    ...(readError ? { read_error: readError } : {}),
    ...(syslogProblem ? { syslog_problem: syslogProblem } : {}),
  });
  log?.close();
  await syslog?.close();
  return exitCode;
}
