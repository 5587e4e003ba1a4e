// node bench/syslog.mjs (after npm run build): what --syslog costs, by the bench's method: a 1,000,000-line
// job (~100 bytes a line; `cat` of a file) logging to a file, without and with --syslog to a real rsyslogd of its own
// (Debian's rsyslog, RFC 5424 parsed, written to a file), median of BENCH_RUNS. Then how many records reached
// rsyslogd and how many the run dropped (its footer), and the rate the relay and rsyslogd sustain. Prints; asserts nothing.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const cronwrap = join(root, 'bin', 'cronwrap');
const work = mkdtempSync(join(tmpdir(), 'cronwrap-bench-syslog-'));
const LINES = Number(process.env.BENCH_LINES ?? 1_000_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const env = { ...process.env, CRONWRAP_STATE_DIR: join(work, 'state'), CRONWRAP_LOG_DIR: join(work, 'logs') };
delete env.NODE_OPTIONS;

const socket = join(work, 'log.sock');
const received = join(work, 'received.log');
writeFileSync(
  join(work, 'rsyslog.conf'),
  [
    `global(workDirectory="${work}")`,
    'module(load="imuxsock" SysSock.Use="off")',
    `input(type="imuxsock" Socket="${socket}" UseSpecialParser="off" ParseHostname="on" RateLimit.Interval="0")`,
    'template(name="fields" type="string" string="%pri-text% %app-name% %msgid% %structured-data% %msg%\\n")',
    `*.* action(type="omfile" file="${received}" template="fields")`,
  ].join('\n'),
);
const daemon = spawn('rsyslogd', ['-n', '-f', join(work, 'rsyslog.conf'), '-i', join(work, 'rsyslogd.pid')], { stdio: 'ignore' });
while (!existsSync(socket)) await new Promise((resolveWait) => setTimeout(resolveWait, 50));

const input = join(work, 'input.txt');
const filler = 'x'.repeat(100);
let text = '';
for (let i = 0; i < LINES; i++) text += `${String(i).padStart(8, '0')} ${filler.slice(0, 82 + (i % 17))}\n`;
writeFileSync(input, text);
text = '';

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
/** Wall seconds of one run, and its footer's syslog_problem. */
function run(args) {
  const start = performance.now();
  const result = spawnSync(cronwrap, [...args, '--log', join(work, 'run.log'), '--name', 'bench', '-q', '--', 'cat', input], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  const seconds = (performance.now() - start) / 1000;
  const footer = readFileSync(join(work, 'run.log'), 'utf8').trimEnd().split('\n').at(-1) ?? '';
  rmSync(join(work, 'run.log'));
  return { seconds, status: result.status, problem: /syslog_problem="([^"]*)"/.exec(footer)?.[1] };
}
const lines = () => (existsSync(received) ? readFileSync(received, 'utf8').split('\n').length - 1 : 0);

const plain = median(Array.from({ length: RUNS }, () => run([]).seconds));
const withSyslog = [];
for (let i = 0; i < RUNS; i++) {
  const before = lines();
  const result = run(['--syslog', '--syslog-socket', socket]);
  // rsyslogd writes what it took within moments; wait until the count settles.
  let now = lines();
  for (let last = -1; now !== last; now = lines()) {
    last = now;
    await new Promise((resolveWait) => setTimeout(resolveWait, 300));
  }
  withSyslog.push({ ...result, arrived: now - before });
}
console.log(`${LINES.toLocaleString('en')} lines (~100 bytes) logged to a file, median of ${RUNS}, ${work}`);
console.log(`without --syslog: ${plain.toFixed(2)} s (${Math.round(LINES / plain).toLocaleString('en')} lines/s)`);
const middle = median(withSyslog.map((r) => r.seconds));
console.log(`with --syslog to rsyslogd: ${middle.toFixed(2)} s (${Math.round(LINES / middle).toLocaleString('en')} lines/s)`);
for (const r of withSyslog) console.log(`  ${r.seconds.toFixed(2)} s, exit ${r.status}, ${r.arrived.toLocaleString('en')} messages reached rsyslogd; footer: ${r.problem ?? 'all sent'}`);

// The rate the relay and rsyslogd sustain: a job writing 10,000 lines as fast as it can, inside the queue.
const BURST = 10_000;
const burst = join(work, 'burst.txt');
writeFileSync(burst, readFileSync(input, 'utf8').split('\n').slice(0, BURST).join('\n') + '\n');
const before = lines();
const start = performance.now();
const burstRun = spawnSync(cronwrap, ['--syslog', '--syslog-socket', socket, '--log', join(work, 'burst.log'), '--name', 'burst', '-q', '--', 'cat', burst], { env, stdio: 'ignore' });
const ran = (performance.now() - start) / 1000;
while (lines() - before < BURST + 2 && performance.now() - start < 30_000) await new Promise((resolveWait) => setTimeout(resolveWait, 10));
const seconds = (performance.now() - start) / 1000;
const burstFooter = readFileSync(join(work, 'burst.log'), 'utf8').trimEnd().split('\n').at(-1) ?? '';
console.log(`${BURST.toLocaleString('en')} lines at once: the run took ${ran.toFixed(2)} s (exit ${burstRun.status}); ${(lines() - before).toLocaleString('en')} of ${BURST + 2} messages in rsyslogd's file after ${seconds.toFixed(2)} s (${Math.round((lines() - before) / seconds).toLocaleString('en')} messages/s end to end); footer: ${/syslog_problem="([^"]*)"/.exec(burstFooter)?.[1] ?? 'all sent'}; unix max_dgram_qlen ${readFileSync('/proc/sys/net/unix/max_dgram_qlen', 'utf8').trim()}`);

daemon.kill('SIGKILL');
rmSync(work, { recursive: true, force: true });
