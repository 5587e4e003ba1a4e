import { errorCode } from '../errors.js';
import type { Io } from '../io.js';
import { warn } from '../output/console.js';
import { LogFollower } from '../output/log-reader.js';
import { outputWriter } from '../output/terminal-safe.js';
import { Interruptions } from '../process/interruptions.js';
import { jobLogPath } from '../jobs/job-log.js';
import { defaultLogPath } from '../state/paths.js';
import { jobSubcommand, wholeNumber } from './subcommand.js';

const FOLLOW_POLL_MS = 200;

/**
 * `cronwrap tail JOB [-n N] [-f]`: prints the last lines of a job's log and, with `follow`, what is
 * appended to it, across logrotate (a new file or a truncated one is read from its start).
 */
export async function runTail(path: string, lines: number, follow: boolean, io: Io): Promise<number> {
  const interruptions = new Interruptions();
  const log = new LogFollower(path);
  try {
    // With -f, a log that does not exist yet (the job has not run) is waited for, as tail -F does.
    for (;;) {
      let problem: string | undefined;
      try {
        if (log.open(lines)) break;
        if (!follow) problem = 'ENOENT';
      } catch (error) {
        problem = errorCode(error);
      }
      if (problem) {
        warn(io.stderr, `cannot read ${path}: ${problem}`);
        return 1;
      }
      if (await interruptions.sleep(FOLLOW_POLL_MS)) return 0;
    }
    const out = outputWriter(io.stdout, io.stdoutIsTTY);
    const sink = { data: (chunk: Buffer) => out.write(chunk) };
    log.poll(sink);
    while (follow && !(await interruptions.sleep(FOLLOW_POLL_MS))) log.poll(sink);
    return 0;
  } finally {
    log.close();
    interruptions.dispose();
  }
}

export const tail = jobSubcommand({
  name: 'tail',
  summary: { synopsis: 'tail <job> [-n N] [-f]', text: "print (and follow) a job's log" },
  description: "Print the end of a job's log; with -f, keep printing what is appended (across logrotate).",
  settings: ['stateDir', 'logDir', 'config'],
  readsState: true,
  options: (program) => program.option('-n, --lines <n>', 'how many lines', wholeNumber('--lines'), 20).option('-f, --follow', 'keep printing new lines until interrupted'),
  values: (program) => {
    const given = program.opts<{ lines?: number; follow?: boolean }>();
    return { lines: given.lines ?? 20, follow: given.follow === true };
  },
  run: async (call, { settings, stateDir, io }) => {
    const path = jobLogPath(stateDir, call.job, defaultLogPath(call.job, settings.logDir, stateDir, io.uid));
    return await runTail(path, call.lines, call.follow, io);
  },
});
