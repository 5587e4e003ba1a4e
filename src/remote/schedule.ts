// Cron schedules (croner, cronstrue), built as their own small file (dist/schedule.cjs) and loaded only by
// runs and commands that read a schedule: far less to load than dist/remote.cjs.
export { deadlineAfter, describeSchedule, missedStart, nextRuns, shortestInterval } from '../cron/schedule.js';
