import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { Redis } from 'ioredis';
import { afterEach, expect } from 'vitest';
import { waitFor } from './cronwrap.js';
import { freePort } from './servers.js';
import { sleep } from './processes.js';

const running: ChildProcess[] = [];
const listening: Redis[] = [];
afterEach(async () => {
  for (const client of listening.splice(0)) client.disconnect();
  // Waits for each to be gone, so none writes into a temporary directory being removed.
  const gone = (daemon: ChildProcess) => new Promise((resolve) => (daemon.exitCode !== null || daemon.signalCode !== null ? resolve(undefined) : daemon.once('exit', resolve)));
  await Promise.all(running.splice(0).map((daemon) => (daemon.kill('SIGKILL'), gone(daemon))));
});

export const has = (command: string) => spawnSync('sh', ['-c', `command -v ${command}`]).status === 0;

/** Waits until `ready()` answers true, or fails after `ms`. */
async function until(ready: () => boolean | Promise<boolean>, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await ready()) return;
    await sleep(50);
  }
  throw new Error(`${what} did not start`);
}

export interface RedisServer {
  url: string;
  port: number;
  cli(...args: string[]): string;
  stop(): void;
}

/** A real redis-server on 127.0.0.1 and a free port, no persistence; stopped after the test. With `tls`, it speaks TLS only. */
export async function startRedis(password?: string, tls?: { certFile: string; keyFile: string }): Promise<RedisServer> {
  const port = await freePort();
  const listen = tls
    ? ['--port', '0', '--tls-port', String(port), '--tls-cert-file', tls.certFile, '--tls-key-file', tls.keyFile, '--tls-ca-cert-file', tls.certFile, '--tls-auth-clients', 'no']
    : ['--port', String(port)];
  const args = [...listen, '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', ...(password ? ['--requirepass', password] : [])];
  const daemon = spawn('redis-server', args, { stdio: 'ignore' });
  running.push(daemon);
  const cli = (...command: string[]) =>
    spawnSync('redis-cli', ['-p', String(port), ...(tls ? ['--tls', '--cacert', tls.certFile] : []), ...(password ? ['--no-auth-warning', '-a', password] : []), ...command], { encoding: 'utf8' }).stdout.trim();
  await until(() => cli('PING') === 'PONG', 5000, 'redis-server');
  return { url: `${tls ? 'rediss' : 'redis'}://127.0.0.1:${port}`, port, cli, stop: () => daemon.kill('SIGKILL') };
}

/**
 * What Redis says happens to `key` from now on (keyspace notifications), in order: 'set' (with PX, an
 * 'expire' follows it), 'expire' (a PEXPIRE: a renewal), 'del', 'expired' (its TTL ran out).
 */
export async function keyEvents(server: RedisServer, key: string): Promise<string[]> {
  expect(server.cli('CONFIG', 'SET', 'notify-keyspace-events', 'Kg$x')).toBe('OK');
  const client = new Redis(server.url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  client.on('error', () => undefined); // the server is killed after the test, under the subscription
  listening.push(client);
  const events: string[] = [];
  client.on('message', (_channel: string, event: string) => events.push(event));
  await client.connect();
  await client.subscribe(`__keyspace@0__:${key}`);
  return events;
}

/** A real Prometheus Pushgateway on 127.0.0.1 and a free port; stopped after the test. */
export async function startPushgateway(): Promise<{ url: string; metrics(): Promise<string> }> {
  const port = await freePort();
  const daemon = spawn('prometheus-pushgateway', [`--web.listen-address=127.0.0.1:${port}`], { stdio: 'ignore' });
  running.push(daemon);
  const url = `http://127.0.0.1:${port}`;
  const metrics = async () => (await fetch(`${url}/metrics`)).text();
  await until(() => metrics().then(() => true, () => false), 10_000, 'prometheus-pushgateway');
  return { url, metrics };
}

/** An alert as Prometheus' /api/v1/alerts lists it. */
export interface PrometheusAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  state: 'pending' | 'firing';
}

/**
 * A real Prometheus on 127.0.0.1 and a free port, with `config` as its prometheus.yml in `dir` (rule files
 * it names are read from there) and its database in `dir`/data, and `flags` of its own; stopped after the test.
 */
export async function startPrometheus(dir: string, config: string, flags: readonly string[] = []): Promise<{ url: string; alerts(): Promise<PrometheusAlert[]> }> {
  const port = await freePort();
  const file = join(dir, 'prometheus.yml');
  writeFileSync(file, config);
  const args = [`--config.file=${file}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, ...flags];
  const daemon = spawn('prometheus', args, { stdio: 'ignore' });
  running.push(daemon);
  const url = `http://127.0.0.1:${port}`;
  await until(() => fetch(`${url}/-/ready`).then((r) => r.ok, () => false), 20_000, 'prometheus');
  const alerts = async () => ((await (await fetch(`${url}/api/v1/alerts`)).json()) as { data: { alerts: PrometheusAlert[] } }).data.alerts;
  return { url, alerts };
}

/**
 * Runs Debian's cron daemon with `crontab` in /etc/cron.d/`name` until `done()`, then stops it and removes
 * the file. faketime starts cron's clock 5 s before a minute, so the line's minute comes in seconds, not up to
 * a minute. `scratch`: a directory for cron's own log, quoted when cron does not run the line. `mailer`: a
 * program that stands in for /usr/sbin/sendmail in cron's own mount namespace (for cron and its jobs only).
 */
export async function underCron(name: string, crontab: string, done: () => boolean, scratch: string, mailer?: string): Promise<void> {
  const file = join('/etc/cron.d', name);
  writeFileSync(file, crontab, { mode: 0o644 });
  const now = Math.floor(Date.now() / 1000);
  const fake = new Date((now - (now % 60) + 55) * 1000);
  const two = (n: number) => String(n).padStart(2, '0');
  const stamp = `@${fake.getFullYear()}-${two(fake.getMonth() + 1)}-${two(fake.getDate())} ${two(fake.getHours())}:${two(fake.getMinutes())}:55`;
  // faketime runs cron as its child: cron is stopped by the pid it writes, faketime then ends by itself.
  const cronLog = join(scratch, 'cron.log');
  const daemon = ['faketime', '-f', stamp, 'cron', '-f', '-L', '15'];
  const [command, ...args] = mailer ? ['unshare', '--mount', '--propagation', 'private', 'sh', '-c', 'mount --bind "$0" /usr/sbin/sendmail && exec "$@"', mailer, ...daemon] : daemon;
  const cron = execa(command!, args, { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', FAKETIME_DONT_FAKE_MONOTONIC: '1' }, extendEnv: false, reject: false, stdin: 'ignore', stdout: { file: cronLog }, stderr: { file: cronLog } });
  try {
    await waitFor(done, 60_000).catch((error: Error) => {
      throw new Error(`${error.message}; cron said: ${readFileSync(cronLog, 'utf8')}`);
    });
  } finally {
    const pid = Number(readFileSync('/run/crond.pid', 'utf8'));
    if (pid > 0) process.kill(pid, 'SIGTERM');
    await cron;
    rmSync(file, { force: true });
  }
}

/**
 * A real node_exporter on 127.0.0.1 and a free port, with only the textfile collector, reading `textfileDir`
 * (one "host" of a fleet: a Prometheus scrape config gives it its `instance` label); stopped after the test.
 */
export async function startNodeExporter(textfileDir: string): Promise<{ address: string; metrics(): Promise<string> }> {
  const port = await freePort();
  const args = [`--web.listen-address=127.0.0.1:${port}`, '--collector.disable-defaults', '--collector.textfile', `--collector.textfile.directory=${textfileDir}`];
  const daemon = spawn('prometheus-node-exporter', args, { stdio: 'ignore' });
  running.push(daemon);
  const address = `127.0.0.1:${port}`;
  const metrics = async () => (await fetch(`http://${address}/metrics`)).text();
  await until(() => metrics().then(() => true, () => false), 10_000, 'prometheus-node-exporter');
  return { address, metrics };
}

/**
 * A real Alertmanager on 127.0.0.1 and a free port, with `config` as its alertmanager.yml in `dir` and its
 * silences in `dir`/data, clustering off; stopped after the test. `amtool(...args)` runs Debian's amtool
 * against it.
 */
export async function startAlertmanager(dir: string, config: string): Promise<{ url: string; amtool(...args: string[]): string }> {
  const port = await freePort();
  const file = join(dir, 'alertmanager.yml');
  writeFileSync(file, config);
  const args = [`--config.file=${file}`, `--storage.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--cluster.listen-address='];
  const daemon = spawn('prometheus-alertmanager', args, { stdio: 'ignore' });
  running.push(daemon);
  const url = `http://127.0.0.1:${port}`;
  await until(() => fetch(`${url}/-/ready`).then((r) => r.ok, () => false), 20_000, 'prometheus-alertmanager');
  const amtool = (...command: string[]) => {
    const result = spawnSync('amtool', [`--alertmanager.url=${url}`, ...command], { encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`amtool ${command.join(' ')}: ${result.stderr}`);
    return result.stdout.trim();
  };
  return { url, amtool };
}
