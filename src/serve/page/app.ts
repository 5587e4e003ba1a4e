// The live view's page: the job list at `/`, a job's chart, runs and live output at `/jobs/<name>`.
// Every text from the server goes into the page as text (textContent), never as HTML.
import uPlot from 'uplot';
import type { LogLine } from '../../annotate/log-line.js';
import type { JobRow } from '../job-board.js';
import type { TailEvent } from '../live-tail.js';
import type { RunSection } from '../run-log.js';
import type { ShownRun } from '../server.js';

const REFRESH_MS = 5000;
/** The live output keeps this many lines; older ones leave the page. */
const TAIL_LINES = 1000;

type Child = Node | string | null | undefined;

function el(tag: string, attributes: Record<string, string> = {}, ...children: Child[]): HTMLElement {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value);
  for (const child of children) if (child !== null && child !== undefined) element.append(child);
  return element;
}

/** The server's answer, or an error saying what went wrong; 304 (not modified) is an answer. */
async function request(url: string, headers: Record<string, string> = {}): Promise<Response> {
  const response = await fetch(url, { headers: { accept: 'application/json', ...headers } });
  if (!response.ok && response.status !== 304) throw new Error(`${url}: ${response.status} ${await response.text()}`);
  return response;
}

async function getJson<T>(url: string): Promise<T> {
  return (await (await request(url)).json()) as T;
}

function ago(iso: string | null, now = Date.now()): string {
  if (!iso) return '–';
  const seconds = Math.round((now - Date.parse(iso)) / 1000);
  const future = seconds < 0;
  const s = Math.abs(seconds);
  const text = s < 60 ? `${s}s` : s < 3600 ? `${Math.floor(s / 60)}m` : s < 86400 ? `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m` : `${Math.floor(s / 86400)}d`;
  return future ? `in ${text}` : `${text} ago`;
}

function time(iso: string | null): HTMLElement {
  return el('time', iso ? { datetime: iso, title: new Date(iso).toString() } : {}, ago(iso));
}

function duration(ms: number | null): string {
  if (ms === null) return '–';
  if (ms < 1000) return `${ms}ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)}s`;
  return s < 3600 ? `${Math.floor(s / 60)}m ${Math.round(s % 60)}s` : `${Math.floor(s / 3600)}h ${Math.round((s % 3600) / 60)}m`;
}

function badge(state: string): HTMLElement {
  return el('span', { class: `state state-${state}` }, state);
}

function problem(message: string): HTMLElement {
  return el('p', { class: 'problem', role: 'alert' }, message);
}

// ---- the job list ------------------------------------------------------------------------------

/** When the job last succeeded; `before <time>` when no success was among the runs read (`counted_since`). */
function lastSuccess(job: JobRow): HTMLElement {
  return !job.last_success && job.counted_since ? el('span', {}, 'before ', time(job.counted_since)) : time(job.last_success);
}

function jobRow(job: JobRow): HTMLElement {
  return el(
    'tr',
    { 'data-job': job.job, 'data-state': job.state },
    el('td', {}, el('a', { href: `/jobs/${encodeURIComponent(job.job)}` }, job.job)),
    el('td', {}, badge(job.state)),
    el('td', {}, job.running_since ? el('span', {}, 'running since ', time(job.running_since)) : time(job.last_start)),
    el('td', {}, job.last_result ?? '–'),
    el('td', { class: 'number' }, duration(job.last_duration_ms)),
    el('td', {}, lastSuccess(job)),
    el('td', {}, job.missed ? el('span', { class: 'missed' }, 'missed ', time(job.missed)) : time(job.next_run)),
    el('td', { class: 'schedule' }, job.schedule ?? '–'),
  );
}

/** The one row of an empty table: loading, no jobs, or why the jobs cannot be shown. */
function placeholderRow(kind: 'loading' | 'none' | 'error', ...text: Child[]): HTMLElement {
  return el('tr', { class: `placeholder placeholder-${kind}`, 'data-placeholder': kind }, el('td', { colspan: '8', ...(kind === 'error' ? { role: 'alert' } : {}) }, ...text));
}

async function showJobs(app: HTMLElement): Promise<void> {
  const body = el('tbody', {}, placeholderRow('loading', 'Loading the jobs…'));
  const counts = el('p', { class: 'counts' });
  const failure = el('div');
  const headings = ['Job', 'State', 'Last run', 'Result', 'Duration', 'Last success', 'Next run', 'Schedule'];
  app.replaceChildren(
    el('h1', {}, 'Jobs'),
    counts,
    failure,
    el('table', { id: 'jobs' }, el('thead', {}, el('tr', {}, ...headings.map((heading) => el('th', {}, heading)))), body),
  );
  let loadedAt: number | undefined;
  const refresh = async () => {
    try {
      const jobs = await getJson<JobRow[]>('/api/jobs');
      const byState = new Map<string, number>();
      for (const job of jobs) byState.set(job.state, (byState.get(job.state) ?? 0) + 1);
      counts.replaceChildren(...[...byState].flatMap(([state, count]) => [badge(state), ` ${count}  `]));
      body.replaceChildren(
        ...(jobs.length > 0
          ? jobs.map(jobRow)
          : [placeholderRow('none', 'No jobs yet: no job has run under cronwrap here, and no crontab line runs one under cronwrap.')]),
      );
      failure.replaceChildren();
      loadedAt = Date.now();
    } catch (error) {
      // Jobs already shown stay, marked as old; before any, the table says why it is empty.
      if (loadedAt === undefined) body.replaceChildren(placeholderRow('error', `Cannot load the jobs: ${String(error)}`));
      else failure.replaceChildren(problem(`Cannot refresh the jobs (shown as they were ${ago(new Date(loadedAt).toISOString())}): ${String(error)}`));
    }
  };
  await refresh();
  setInterval(() => void refresh(), REFRESH_MS);
}

// ---- one job -----------------------------------------------------------------------------------

/** Durations over time: successful runs and failed runs as two series of points. */
function drawChart(target: HTMLElement, runs: ShownRun[]): uPlot | undefined {
  const ran = runs.filter((run) => !run.lock_skipped).sort((a, b) => Date.parse(a.start) - Date.parse(b.start));
  if (ran.length === 0) {
    target.replaceChildren(el('p', {}, 'No runs to plot yet.'));
    return undefined;
  }
  const x = ran.map((run) => Date.parse(run.start) / 1000);
  const ok = ran.map((run) => (run.failed ? null : run.duration_ms / 1000));
  const bad = ran.map((run) => (run.failed ? run.duration_ms / 1000 : null));
  const points = (colour: string) => ({ show: true, size: 7, stroke: colour, fill: colour });
  const options: uPlot.Options = {
    width: Math.max(320, Math.min(1100, target.clientWidth || 900)),
    height: 260,
    // One run, or runs of the same second, still get a readable axis; durations are shown from zero.
    scales: {
      x: { time: true, range: (_plot, min, max) => (max - min < 60 ? [min - 1800, max + 1800] : [min, max]) },
      y: { range: (_plot, _min, max) => [0, max > 0 ? max * 1.15 : 1] },
    },
    axes: [{}, { label: 'seconds', size: 60 }],
    series: [
      {},
      { label: 'succeeded', stroke: '#2e9d5b', paths: () => null, points: points('#2e9d5b') },
      { label: 'failed', stroke: '#d33c3c', paths: () => null, points: points('#d33c3c') },
    ],
  };
  target.replaceChildren();
  return new uPlot(options, [x, ok, bad], target);
}

function logLine(line: LogLine): HTMLElement {
  const mark = line.stream === 'meta' ? '===' : line.stream === 'other' ? '' : line.stream;
  return el('div', { class: `line line-${line.stream}` }, el('span', { class: 'stamp' }, line.stamp), ' ', el('span', { class: 'mark' }, mark), ' ', el('span', { class: 'text' }, line.text));
}

async function showRunLog(panel: HTMLElement, job: string, run: string): Promise<void> {
  panel.replaceChildren(el('p', {}, `Loading run ${run}…`));
  try {
    const section = await getJson<RunSection>(`/api/jobs/${encodeURIComponent(job)}/runs/${encodeURIComponent(run)}/log`);
    const note = section.cut > 0 ? ` (the first ${section.lines.length} lines; ${section.cut} more not shown)` : section.ended ? '' : ' (no end record yet: still running, or cut short)';
    panel.replaceChildren(el('h3', {}, `Run ${run}, from ${section.files.join(' and ')}${note}`), el('div', { class: 'log' }, ...section.lines.map(logLine)));
  } catch (error) {
    panel.replaceChildren(problem(String(error)));
  }
}

function runsTable(job: string, runs: ShownRun[], panel: HTMLElement): HTMLElement {
  const rows = runs.map((run) =>
    el(
      'tr',
      { 'data-run': run.run, class: run.failed ? 'failed' : '' },
      el('td', {}, time(run.start)),
      el('td', {}, run.result),
      el('td', { class: 'number' }, duration(run.duration_ms)),
      el('td', { class: 'number' }, String(run.attempts)),
      el('td', {}, el('button', { type: 'button', 'data-run': run.run }, 'log')),
    ),
  );
  const table = el('table', { id: 'runs' }, el('thead', {}, el('tr', {}, ...['Start', 'Result', 'Duration', 'Attempts', ''].map((h) => el('th', {}, h)))), el('tbody', {}, ...rows));
  table.addEventListener('click', (event) => {
    const run = event.target instanceof Element ? event.target.closest('button')?.getAttribute('data-run') : undefined;
    if (run) void showRunLog(panel, job, run);
  });
  return table;
}

/** The job's log as it is written: lines arrive as Server-Sent Events; the panel keeps the last TAIL_LINES. */
function followLog(job: string, panel: HTMLElement, status: HTMLElement): void {
  const source = new EventSource(`/api/jobs/${encodeURIComponent(job)}/tail?lines=100`);
  let reconnecting = false;
  source.addEventListener('open', () => {
    status.textContent = 'live';
    status.className = 'live';
    // After a reconnection the server sends the last lines again.
    if (reconnecting) panel.replaceChildren();
  });
  source.addEventListener('error', () => {
    status.textContent = 'reconnecting…';
    status.className = 'offline';
    reconnecting = true;
  });
  source.addEventListener('problem', (event: MessageEvent<string>) => {
    status.textContent = (JSON.parse(event.data) as { message: string }).message;
    status.className = 'offline';
    source.close();
  });
  source.addEventListener('message', (event: MessageEvent<string>) => {
    const data = JSON.parse(event.data) as TailEvent;
    const atBottom = panel.scrollHeight - panel.scrollTop - panel.clientHeight < 40;
    const fresh: HTMLElement[] = [];
    if (data.skipped_lines > 0 || data.skipped_bytes > 0) {
      const what = [data.skipped_lines > 0 ? `${data.skipped_lines} lines` : '', data.skipped_bytes > 0 ? `${data.skipped_bytes} bytes` : ''].filter(Boolean).join(' and ');
      fresh.push(el('div', { class: 'line skipped' }, `… ${what} skipped to keep up (the log has them all)`));
    }
    for (const line of data.lines.slice(-TAIL_LINES)) fresh.push(logLine(line));
    panel.append(...fresh);
    while (panel.childElementCount > TAIL_LINES) panel.firstElementChild!.remove();
    if (atBottom) panel.scrollTop = panel.scrollHeight;
  });
}

async function showJob(app: HTMLElement, job: string): Promise<void> {
  const header = el('div', { class: 'job-header' });
  const chart = el('div', { id: 'chart' }, el('p', {}, 'Loading the runs…'));
  const runs = el('div', { id: 'runs-panel' }, el('p', {}, 'Loading the runs…'));
  const runLog = el('div', { id: 'run-log' });
  const tail = el('div', { id: 'tail', class: 'log', 'aria-live': 'off' });
  const tailStatus = el('span', { id: 'tail-status' }, 'connecting…');
  app.replaceChildren(
    el('p', {}, el('a', { href: '/' }, '← all jobs')),
    el('h1', {}, job),
    header,
    el('h2', {}, 'Duration of each run'),
    chart,
    el('h2', {}, 'Live output ', tailStatus),
    tail,
    el('h2', {}, 'Runs'),
    runs,
    runLog,
  );
  followLog(job, tail, tailStatus);
  let plot: uPlot | undefined;
  let shown: string | null = null; // the ETag of the runs drawn
  const refresh = async () => {
    try {
      const [records, jobs] = await Promise.all([changedRuns(job, shown), getJson<JobRow[]>('/api/jobs')]);
      const row = jobs.find((candidate) => candidate.job === job);
      header.replaceChildren(
        row ? badge(row.state) : badge('unknown'),
        row?.schedule ? ` schedule ${row.schedule}, next run ` : ' ',
        row?.schedule ? time(row.next_run) : '',
        row ? ` · last success ` : '',
        row ? lastSuccess(row) : '',
      );
      if (!records) return; // the history did not change: the chart and the table stay as they are
      shown = records.etag;
      plot?.destroy();
      plot = drawChart(chart, records.runs);
      runs.replaceChildren(records.runs.length > 0 ? runsTable(job, records.runs, runLog) : el('p', {}, 'No runs recorded yet.'));
    } catch (error) {
      header.replaceChildren(problem(String(error)));
    }
  };
  await refresh();
  setInterval(() => void refresh(), REFRESH_MS);
}

/** The job's last 1000 runs, newest first, unless its history is still the one `etag` named (the server then reads nothing). */
async function changedRuns(job: string, etag: string | null): Promise<{ runs: ShownRun[]; etag: string | null } | undefined> {
  const response = await request(`/api/jobs/${encodeURIComponent(job)}/runs?n=1000`, etag === null ? {} : { 'if-none-match': etag });
  if (response.status === 304) return undefined;
  return { runs: (await response.json()) as ShownRun[], etag: response.headers.get('etag') };
}

function start(): void {
  const app = document.getElementById('app')!;
  const match = /^\/jobs\/([^/]+)$/.exec(location.pathname);
  void (match ? showJob(app, decodeURIComponent(match[1]!)) : showJobs(app));
}

start();
