import type { Io } from '../io.js';
import { print, printJson, printLine, warn } from '../output/console.js';
import { formatDuration } from '../util/format.js';
import { localIso } from '../annotate/timestamp.js';
import { historyJobs } from '../state/history.js';
import { jobsWithState } from '../state/job-state.js';
import type { JobName } from '../util/job-name.js';
import type { Viewer } from '../jobs/own-lines.js';
import { watchedJobs } from '../jobs/watched-jobs.js';
import { pauseWords } from '../jobs/pause-words.js';
import { describeNeverEnded } from '../report/footer.js';
import { damagedLines, failuresText, lastSuccessText, orderSummaries, recentNeverEnded, runs24hText, summarizeHistory, withMissed, type JobSummary } from '../jobs/job-summary.js';
import { colour, textTable, useColour } from '../output/text-table.js';
import { subcommand } from './subcommand.js';

function resultColour(summary: JobSummary): 'red' | 'green' | 'yellow' {
  if (summary.failing || summary.missed) return 'red';
  return summary.last_result === 'ok' ? 'green' : 'yellow';
}

/**
 * `cronwrap status`: one row per job seen here, failing and missed jobs first. Exits 1 when any job's last
 * run failed or its last scheduled start passed with no run, so a monitoring check can call it.
 */
export function runStatus(stateDir: string, json: boolean, viewer: Viewer, io: Io): number {
  const now = io.now();
  // Each history is read from its end, as far as its summary needs: the head of a long one is never read.
  const histories = new Map(historyJobs(stateDir).flatMap((job) => {
    const read = summarizeHistory(stateDir, job, now, damagedLines(io));
    return read ? [[job, read] as const] : [];
  }));
  const found = watchedJobs('/', stateDir, viewer, now, (job) => {
    const read = histories.get(job);
    return read ? [read.oldest, read.newest] : [];
  });
  for (const line of found.refused) warn(io.stderr, line);
  const watched = new Map(found.jobs.map((job) => [job.job, job]));
  const pauses = jobsWithState(stateDir, 'pauses'); // one listing, not a read per job
  const paused = (job: JobName) => (pauses.has(job) ? pauseWords(stateDir, job, now) : null);
  const summaries = orderSummaries([...histories].map(([job, { summary }]) => withMissed({ ...summary, paused: paused(job) }, watched.get(job), now)));
  if (json) {
    printJson(io.stdout, summaries);
  } else if (summaries.length === 0) {
    print(io.stdout, `no runs recorded in ${stateDir}\n`);
  } else {
    const coloured = useColour(io.stdoutIsTTY, io.env);
    const rows = summaries.map((s) => [
      s.job,
      s.last_start,
      s.paused ?? (s.missed ? `missed ${localIso(Date.parse(s.missed)).slice(11, 16)}` : s.last_result),
      formatDuration(s.last_duration_ms),
      lastSuccessText(s),
      failuresText(s),
      runs24hText(s, now),
    ]);
    const table = textTable(['JOB', 'LAST START', 'RESULT', 'DURATION', 'LAST SUCCESS', 'FAILS', 'RUNS 24H'], rows, (row, column, text) =>
      coloured && column === 2 ? colour(resultColour(summaries[row]!), text) : text,
    );
    // A run whose cronwrap was killed has no record of its own: said under the table for a day after it started.
    const notes = summaries.flatMap((s) => {
      const run = recentNeverEnded(s, now);
      return run ? [`${s.job}: ${describeNeverEnded(run)}`] : [];
    });
    print(io.stdout, notes.length > 0 ? `${table}\n` : table);
    for (const note of notes) printLine(io.stdout, note);
  }
  return summaries.some((s) => s.failing || s.missed) ? 1 : 0;
}

export const status = subcommand({
  name: 'status',
  summary: { synopsis: 'status [--json]', text: 'every job seen here: last result, last success, failures' },
  description: "One row per job seen on this host, failing jobs first; exits 1 if any job's last run failed.",
  settings: ['stateDir', 'config'],
  readsState: true,
  options: (program) => program.option('--json', 'one JSON array of job objects'),
  values: (program) => ({ json: program.opts<{ json?: boolean }>().json === true }),
  run: (call, { stateDir, viewer, io }) => runStatus(stateDir, call.json, viewer, io),
});
