// Reading histories: `cronwrap status`, `check` and the live view over a big state directory, BENCH_SERVE_JOBS
// histories of BENCH_SERVE_RUNS runs each (the default --history-limit), a run every 15 minutes, one in 20
// failed. Part of `npm run bench`; alone: `npm run build && node bench/live-view.mjs`. Prints figures;
// asserts nothing.
import { spawn, spawnSync } from 'node:child_process';
import { appendFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const SERVE_JOBS = Number(process.env.BENCH_SERVE_JOBS ?? 500);
const SERVE_RUNS = Number(process.env.BENCH_SERVE_RUNS ?? 1000);
const ROUNDS = 5;
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const ms = (value) => `${value.toFixed(0).padStart(6)} ms`;

/** A history line as cronwrap writes it: run `i` of `job`, the last of SERVE_RUNS ending about now. */
function record(job, i, now) {
  const start = new Date(now - (SERVE_RUNS - i) * 900_000);
  const duration = 1000 + ((i * 7919) % 5000);
  return `${JSON.stringify({ job, run: i.toString(16).padStart(12, '0'), host: 'bench', start: start.toISOString(), end: new Date(start.getTime() + duration).toISOString(), duration_ms: duration, exit: i % 20 === 0 ? 1 : 0, signal: null, timed_out: false, log: `/var/log/cronwrap/${job}.log`, attempts: 1, lock_skipped: false, leftovers: [], leftovers_ended: false, notifications: [] })}\n`;
}

/** Measures `status` and `serve` of the bin at `cronwrap` over a state directory made in `work`; `env` is a clean environment. */
export async function benchLiveView(cronwrap, work, env) {
  const state = join(work, 'serve-state');
  const history = join(state, 'history');
  mkdirSync(history, { recursive: true, mode: 0o700 });
  mkdirSync(join(work, 'empty-root'), { recursive: true });
  let historyBytes = 0;
  const now = Date.now();
  for (let j = 0; j < SERVE_JOBS; j++) {
    const job = `job-${String(j).padStart(4, '0')}`;
    let text = '';
    for (let i = 0; i < SERVE_RUNS; i++) text += record(job, i, now);
    historyBytes += text.length;
    writeFileSync(join(history, `${job}.jsonl`), text, { mode: 0o600 });
  }
  const serveEnv = { ...env, CRONWRAP_STATE_DIR: state, CRONWRAP_CONFIG: '/dev/null' };
  const timeCommand = (args) => {
    const times = [];
    for (let i = 0; i < ROUNDS; i++) {
      const start = performance.now();
      spawnSync(cronwrap, args, { env: serveEnv, stdio: 'ignore' });
      times.push(performance.now() - start);
    }
    return median(times);
  };
  const nodeMs = (() => {
    const times = [];
    for (let i = 0; i < ROUNDS; i++) {
      const start = performance.now();
      spawnSync('node', ['-e', '0'], { env, stdio: 'ignore' });
      times.push(performance.now() - start);
    }
    return median(times);
  })();
  const statusJsonMs = timeCommand(['status', '--json']);
  const statusMs = timeCommand(['status']);
  const checkMs = timeCommand(['check', '--root', join(work, 'empty-root')]);

  let clock = performance.now();
  const server = spawn(cronwrap, ['serve', '--listen', '127.0.0.1:0', '--root', join(work, 'empty-root')], { env: serveEnv, stdio: ['ignore', 'pipe', 'inherit'] });
  const serveUrl = await new Promise((resolveUrl) => {
    let out = '';
    server.stdout.on('data', (chunk) => {
      out += chunk;
      const url = /(http:\/\/\S+)\//.exec(out)?.[1];
      if (url) resolveUrl(url);
    });
  });
  const readyMs = performance.now() - clock;
  const authorization = `Bearer ${readFileSync(join(state, 'serve-token'), 'utf8').trim()}`; // the token serve made itself
  async function timedGet(path, headers = {}) {
    const start = performance.now();
    const response = await fetch(`${serveUrl}${path}`, { headers: { authorization, ...headers } });
    await response.arrayBuffer();
    return { ms: performance.now() - start, response };
  }
  const warm = [];
  for (let i = 0; i < 9; i++) warm.push((await timedGet('/api/jobs')).ms);
  appendFileSync(join(history, 'job-0000.jsonl'), record('job-0000', SERVE_RUNS, Date.now() + 900_000));
  const oneChanged = (await timedGet('/api/jobs')).ms;
  const allChanged = [];
  for (let i = 0; i < 3; i++) {
    const later = new Date(Date.now() + (i + 1) * 1000);
    for (const file of readdirSync(history)) utimesSync(join(history, file), later, later); // every history changed: each is read again
    allChanged.push((await timedGet('/api/jobs')).ms);
  }
  const pageMs = (await timedGet('/')).ms;
  const runs = await timedGet('/api/jobs/job-0001/runs?n=1000');
  const unchanged = await timedGet('/api/jobs/job-0001/runs?n=1000', { 'if-none-match': runs.response.headers.get('etag') ?? '' });
  const serveRss = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${server.pid}/status`, 'utf8'))?.[1]) / 1024;
  server.kill('SIGTERM');

  console.log(`\nreading histories: ${SERVE_JOBS} jobs of ${SERVE_RUNS} runs (${(historyBytes / 1e6).toFixed(0)} MB of history), median of ${ROUNDS} unless said`);
  console.log(`  node -e 0 (for scale)                        ${ms(nodeMs)}`);
  console.log(`  cronwrap status --json                       ${ms(statusJsonMs)}`);
  console.log(`  cronwrap status                              ${ms(statusMs)}`);
  console.log(`  cronwrap check (no crontab)                  ${ms(checkMs)}`);
  console.log(`  cronwrap serve: start, every history read    ${ms(readyMs)}`);
  console.log(`  GET /api/jobs, nothing changed (median of 9) ${ms(median(warm))}`);
  console.log(`  GET /api/jobs, one history changed           ${ms(oneChanged)}`);
  console.log(`  GET /api/jobs, every history changed (of 3)  ${ms(median(allChanged))}`);
  console.log(`  GET / (the page)                             ${ms(pageMs)}`);
  console.log(`  GET /api/jobs/JOB/runs?n=1000                ${ms(runs.ms)}`);
  console.log(`  the same, unchanged (If-None-Match: ${unchanged.response.status})     ${ms(unchanged.ms)}`);
  console.log(`  server RSS                                   ${serveRss.toFixed(0).padStart(6)} MB`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const work = mkdtempSync(join(tmpdir(), 'cronwrap-bench-'));
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  delete env.NODE_EXTRA_CA_CERTS;
  try {
    await benchLiveView(join(resolve(import.meta.dirname, '..'), 'bin', 'cronwrap'), work, env);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
