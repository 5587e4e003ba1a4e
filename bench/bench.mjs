// npm run bench: throughput against cat and moreutils ts on the same input, peak memory on a 2 GB stream,
// start-up time against bare node (the single executable too), the live view over 500 jobs of 1000 runs, and a
// fleet of 200 hosts × 20 jobs in a real Prometheus. Prints figures; asserts nothing.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { buildExecutable } from '../scripts/executable.mjs';
import { benchFleet } from './fleet.mjs';
import { benchLiveView } from './live-view.mjs';

const root = resolve(import.meta.dirname, '..');
const cronwrap = join(root, 'bin', 'cronwrap');
const work = mkdtempSync(join(tmpdir(), 'cronwrap-bench-'));
const LINES = Number(process.env.BENCH_LINES ?? 1_000_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const STREAM_BYTES = Number(process.env.BENCH_STREAM_BYTES ?? 2_000_000_000);

// A clean environment, as the issue asks: NODE_OPTIONS and NODE_EXTRA_CA_CERTS slow every Node start.
const env = { ...process.env, CRONWRAP_STATE_DIR: join(work, 'state'), CRONWRAP_LOG_DIR: join(work, 'logs') };
delete env.NODE_OPTIONS;
delete env.NODE_EXTRA_CA_CERTS;
delete env.TZ; // cron runs ts with TZ unset

const has = (command) => spawnSync('sh', ['-c', `command -v ${command}`]).status === 0;
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

function timeShell(script) {
  const times = [];
  for (let i = 0; i < RUNS; i++) {
    const start = performance.now();
    const result = spawnSync('sh', ['-c', script], { env, stdio: ['ignore', 'ignore', 'inherit'] });
    if (result.status !== 0) throw new Error(`failed (${result.status}): ${script}`);
    times.push((performance.now() - start) / 1000);
  }
  return median(times);
}

// 1,000,000 lines of ~100 bytes.
const input = join(work, 'input.txt');
const filler = 'x'.repeat(100);
let text = '';
for (let i = 0; i < LINES; i++) text += `${String(i).padStart(8, '0')} ${filler.slice(0, 82 + (i % 17))}\n`;
writeFileSync(input, text);
const bytes = Buffer.byteLength(text);
text = '';
console.log(`input: ${LINES.toLocaleString('en')} lines, ${(bytes / 1e6).toFixed(1)} MB, median of ${RUNS} runs, ${work}`);

const rows = [];
const measure = (name, script) => rows.push({ name, seconds: timeShell(script) });
measure('cat (the pipe limit)', `cat ${input} | cat > /dev/null`);
if (has('ts')) measure('moreutils ts', `cat ${input} | ts > /dev/null`);
else console.log('moreutils ts: NOT INSTALLED (apt-get install moreutils), so no ratio against ts');
measure('cronwrap filter mode', `cat ${input} | ${cronwrap} > /dev/null`);
measure('cronwrap wrap mode, log /dev/null', `${cronwrap} --log /dev/null -- cat ${input}`);
measure(`cronwrap wrap mode, log file in ${tmpdir()}`, `rm -f ${work}/wrap.log; ${cronwrap} --log ${work}/wrap.log -- cat ${input}`);

const cat = rows[0].seconds;
const ts = rows.find((r) => r.name === 'moreutils ts')?.seconds;
console.log('\nthroughput                                  lines/s        MB/s    vs ts    vs cat');
for (const { name, seconds } of rows) {
  const vsTs = ts ? `${(ts / seconds).toFixed(1)}x` : 'n/a';
  console.log(
    `${name.padEnd(42)} ${Math.round(LINES / seconds).toLocaleString('en').padStart(10)} ${(bytes / 1e6 / seconds).toFixed(1).padStart(10)} ${vsTs.padStart(8)} ${`${(cat / seconds).toFixed(2)}x`.padStart(9)}`,
  );
}

/** Peak RSS (VmHWM) of the process named `name` inside a pipeline, polled until the pipeline ends. */
function peakRss(script, name) {
  return new Promise((resolvePeak, reject) => {
    const shell = spawn('sh', ['-c', script], { env, stdio: ['ignore', 'ignore', 'inherit'] });
    let peak = 0;
    const poll = setInterval(() => {
      const found = spawnSync('pgrep', ['-P', String(shell.pid), '-f', name]).stdout.toString().trim().split('\n').filter(Boolean);
      for (const pid of found) {
        try {
          const kb = Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
          peak = Math.max(peak, kb);
        } catch {
          // ended between pgrep and the read
        }
      }
    }, 100);
    shell.on('exit', (code) => {
      clearInterval(poll);
      if (code === 0) resolvePeak(peak);
      else reject(new Error(`failed (${code}): ${script}`));
    });
  });
}

const line = `${'y'.repeat(99)}`;
const streamScript = (tool) => `yes '${line}' | head -c ${STREAM_BYTES} | ${tool} > /dev/null`;
const started = performance.now();
const filterPeak = await peakRss(streamScript(cronwrap), 'cronwrap');
const streamSeconds = (performance.now() - started) / 1000;
console.log(`\npeak RSS annotating a ${(STREAM_BYTES / 1e9).toFixed(1)} GB stream (filter mode): ${(filterPeak / 1024).toFixed(1)} MB, in ${streamSeconds.toFixed(1)} s`);
const wrapPeak = await peakRss(`${cronwrap} --log /dev/null -- sh -c "yes '${line}' | head -c ${STREAM_BYTES}"`, 'cronwrap');
console.log(`peak RSS wrapping a command that writes ${(STREAM_BYTES / 1e9).toFixed(1)} GB (wrap mode): ${(wrapPeak / 1024).toFixed(1)} MB`);

// Start-up: wall time of `cronwrap -- true` against `node -e 0`, and what execa would cost on that path.
const probes = {};
for (const probe of ['spawn-true-child-process', 'spawn-true-execa']) {
  probes[probe] = join(work, `${probe}.cjs`);
  await build({ entryPoints: [join(root, 'bench', 'probes', `${probe}.ts`)], bundle: true, platform: 'node', target: 'node20', format: 'cjs', outfile: probes[probe], logLevel: 'error' });
}
function startup(argv, count = 30) {
  const times = [];
  for (let i = 0; i < count; i++) {
    const start = performance.now();
    spawnSync(argv[0], argv.slice(1), { env, stdio: 'ignore' });
    times.push(performance.now() - start);
  }
  return median(times);
}
// The single executable (npm run executable), with and without V8's code cache in its blob.
const executables = {};
let builtIn;
for (const [name, codeCache] of [['executable', true], ['executable-no-cache', false]]) {
  executables[name] = join(work, name);
  ({ runtime: builtIn } = await buildExecutable(executables[name], 'executable', { codeCache }));
}
const builtInBare = startup([builtIn.node, '-e', '0']);
const nodeBare = startup(['node', '-e', '0']);
const startRows = [
  ['node -e 0', nodeBare],
  ['cronwrap -- true', startup([cronwrap, '--', 'true'])],
  ['cronwrap-standalone.cjs -- true (single file)', startup([join(root, 'dist', 'cronwrap-standalone.cjs'), '--', 'true'])],
  ['single executable -- true', startup([executables.executable, '--', 'true'])],
  ['single executable, no code cache -- true', startup([executables['executable-no-cache'], '--', 'true'])],
  [`its Node (${builtIn.version}) -e 0`, builtInBare],
  ['bundled child_process spawn of true', startup(['node', probes['spawn-true-child-process']])],
  ['bundled execa spawn of true', startup(['node', probes['spawn-true-execa']])],
];
console.log('\nstart-up (median of 30, clean environment)      ms   vs node -e 0');
for (const [name, ms] of startRows) console.log(`${name.padEnd(44)} ${ms.toFixed(1).padStart(6)} ${`${(ms / nodeBare).toFixed(2)}x`.padStart(12)}`);
const megabytes = (file) => (statSync(file).size / 1e6).toFixed(1);
console.log(`single executable -- true against its own Node's -e 0: ${(startRows[3][1] / builtInBare).toFixed(2)}x`);
console.log(`single executable: ${megabytes(executables.executable)} MB (Node ${builtIn.version} stripped, with cronwrap and its code cache); that Node: ${megabytes(builtIn.node)} MB`);

// Reading histories: `status` and the live view over 500 jobs of 1,000 runs (bench/live-view.mjs).
await benchLiveView(cronwrap, work, env);

// A fleet of 200 hosts × 20 jobs scraped by a real Prometheus, with the dashboards' queries (bench/fleet.mjs).
if (has('prometheus')) await benchFleet(work);
else console.log('\nfleet: prometheus NOT INSTALLED (apt-get install prometheus), so no fleet figures');

rmSync(work, { recursive: true, force: true });
