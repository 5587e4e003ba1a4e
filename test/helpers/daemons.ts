import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { afterEach } from 'vitest';
import { freePort } from './servers.js';
import { sleep } from './processes.js';

const running: ChildProcess[] = [];
afterEach(() => {
  for (const daemon of running.splice(0)) daemon.kill('SIGKILL');
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
