import type { Io } from '../io.js';
import { print, printJson, warn } from '../output/console.js';
import { readHistory } from '../state/history.js';
import { formatDuration } from '../util/format.js';
import { damagedLines, resultOf } from '../jobs/job-summary.js';
import { textTable } from '../output/text-table.js';
import { jobSubcommand, wholeNumber } from './subcommand.js';

/** `cronwrap history JOB`: the last `count` runs of a job, newest first. */
export function runHistory(stateDir: string, job: string, count: number, json: boolean, io: Io): number {
  const runs = readHistory(stateDir, job, damagedLines(io)).slice(-count).reverse();
  if (json) {
    printJson(io.stdout, runs);
    return 0;
  }
  if (runs.length === 0) {
    warn(io.stderr, `no runs of '${job}' recorded in ${stateDir}`);
    return 1;
  }
  const rows = runs.map((run) => [run.start, resultOf(run), formatDuration(run.duration_ms), String(run.attempts), run.run, run.host, run.log]);
  print(io.stdout, textTable(['START', 'RESULT', 'DURATION', 'ATTEMPTS', 'RUN', 'HOST', 'LOG'], rows));
  return 0;
}

export const history = jobSubcommand({
  name: 'history',
  summary: { synopsis: 'history <job> [-n N] [--json]', text: "a job's last runs, newest first" },
  description: 'The last runs of a job, newest first.',
  settings: ['stateDir', 'config'],
  readsState: true,
  options: (program) => program.option('-n, --count <n>', 'how many runs', wholeNumber('--count'), 20).option('--json', 'one JSON array of run records'),
  values: (program) => {
    const given = program.opts<{ count?: number; json?: boolean }>();
    return { count: given.count ?? 20, json: given.json === true };
  },
  run: (call, { stateDir, io }) => runHistory(stateDir, call.job, call.count, call.json, io),
});
