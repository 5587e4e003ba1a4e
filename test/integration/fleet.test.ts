import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cronwrap, sandbox, startCronwrap, waitFor } from '../helpers/cronwrap.js';
import { has, keyEvents, startPushgateway, startRedis } from '../helpers/daemons.js';
import { sleep, waitForPid, killQuietly } from '../helpers/processes.js';
import { footer, parseLog, reassemble } from '../helpers/records.js';
import { freePort, selfSignedCertificate, startHttp } from '../helpers/servers.js';

// These need Debian's redis-server and prometheus-pushgateway; .ci/run installs both. Outside CI a
// machine without them skips these tests (and vitest lists them as skipped).
const withRedis = has('redis-server') || process.env.CI ? describe : describe.skip;
const withPushgateway = has('prometheus-pushgateway') || process.env.CI ? describe : describe.skip;

withRedis('--lock-redis (needs redis-server)', () => {
  it('two cronwrap processes racing: exactly one runs', async () => {
    const redis = await startRedis();
    const box = sandbox();
    // The run that gets the lock holds it until the other two were skipped (or 15 s went by: then the test
    // fails, as it should): however slow the machine, they all race for it. The pattern is not the text
    // of the command, which the start records quote.
    const hold = `echo ran; n=0; until [ "$(grep -c '=== sk[i]p' ${join(box.logDir, 'fleet.log')})" -ge 2 ] || [ $n = 300 ]; do sleep 0.05; n=$((n+1)); done`;
    const race = () => cronwrap(['--name', 'fleet', '--lock-redis', redis.url, '-c', hold], box);
    const results = await Promise.all([race(), race(), race()]);
    expect(results.map((r) => r.exitCode)).toEqual([0, 0, 0]);
    const log = parseLog(box.logOf('fleet'));
    expect(reassemble(log.records, 'out').toString()).toBe('ran\n');
    expect(log.meta.filter((m) => m.event === 'skip')).toHaveLength(2);
    expect(redis.cli('EXISTS', 'cronwrap:lock:fleet')).toBe('0'); // released by its owner
  });

  it('a holder killed with SIGKILL: the lock expires after the TTL', async () => {
    const redis = await startRedis();
    const box = sandbox();
    const events = await keyEvents(redis, 'cronwrap:lock:ttl');
    const pidFile = join(box.dir, 'pid');
    const holder = startCronwrap(['--name', 'ttl', '--lock-redis', redis.url, '--lock-redis-ttl', '1500ms', '-c', `echo $$ > ${pidFile}; exec sleep 60`], box);
    const orphan = await waitForPid(pidFile);
    holder.kill('SIGKILL');
    await holder;
    try {
      // Nothing released the lock (that would be a 'del'): it went when its TTL ran out, as Redis tells.
      await waitFor(() => events.includes('expired'));
      expect(events.filter((event) => event !== 'expire')).toEqual(['set', 'expired']);
      await cronwrap(['--name', 'ttl', '--lock-redis', redis.url, '--', 'echo', 'after expiry'], box);
      expect(reassemble(parseLog(box.logOf('ttl')).records, 'out').toString()).toBe('after expiry\n');
    } finally {
      killQuietly(orphan);
    }
  });

  it('a job longer than the TTL keeps its lock through renewal', async () => {
    const redis = await startRedis();
    const box = sandbox();
    const pidFile = join(box.dir, 'pid');
    const flag = join(box.dir, 'intruder-done');
    // The job holds the lock until the intruder has tried: it can never end first on a loaded machine.
    const events = await keyEvents(redis, 'cronwrap:lock:renew');
    const long = startCronwrap(['--name', 'renew', '--lock-redis', redis.url, '--lock-redis-ttl', '1500ms', '-c', `echo $$ > ${pidFile}; while [ ! -f ${flag} ]; do sleep 0.05; done; echo long`], box);
    await waitForPid(pidFile);
    // Renewals (a PEXPIRE each, every third of the TTL; the SET with its TTL says 'expire' too): after four
    // of them the lock has outlived its TTL, which it could only do renewed.
    await waitFor(() => events.filter((event) => event === 'expire').length >= 1 + 4);
    expect(events).not.toContain('expired');
    const other = await cronwrap(['--name', 'renew', '--lock-redis', redis.url, '--', 'echo', 'intruder'], box);
    writeFileSync(flag, '');
    expect(other.exitCode).toBe(0);
    expect((await long).exitCode).toBe(0);
    expect(reassemble(parseLog(box.logOf('renew')).records, 'out').toString()).toBe('long\n');
  });

  it('works with a Redis password from CRONWRAP_LOCK_REDIS_PASSWORD, never shown; over redis:// only when told to send it in clear', async () => {
    const redis = await startRedis('s3cret-redis-pw');
    const box = sandbox();
    const refused = await cronwrap(['--name', 'pw', '--lock-redis', redis.url, '--', 'echo', 'not run'], box, { env: { CRONWRAP_LOCK_REDIS_PASSWORD: 's3cret-redis-pw' } });
    expect(refused.exitCode).toBe(0);
    expect(refused.stderr.toString()).toMatch(/the Redis password would go over redis:\/\/ in clear: use rediss:\/\/ \(TLS\), or --lock-redis-cleartext-password; the run is skipped/);
    const cleartext = ['--name', 'pw', '--lock-redis', redis.url, '--lock-redis-cleartext-password'];
    const result = await cronwrap([...cleartext, '--', 'echo', 'authed'], box, { env: { CRONWRAP_LOCK_REDIS_PASSWORD: 's3cret-redis-pw' } });
    expect(result.exitCode).toBe(0);
    expect(reassemble(parseLog(box.logOf('pw')).records, 'out').toString()).toBe('authed\n');
    const wrong = await cronwrap([...cleartext, '--', 'true'], box, { env: { CRONWRAP_LOCK_REDIS_PASSWORD: 'wrong' } });
    expect(wrong.stderr.toString()).toMatch(/refused the password|WRONGPASS|NOAUTH|cannot reach/);
    expect(wrong.stderr.toString() + box.logOf('pw').toString()).not.toContain('s3cret-redis-pw');
  });

  it('speaks TLS with rediss:// and refuses a server whose certificate is not trusted', async () => {
    const certificate = selfSignedCertificate();
    const redis = await startRedis(undefined, certificate);
    const box = sandbox();
    const trusted = await cronwrap(['--name', 'tls', '--lock-redis', redis.url, '--', 'echo', 'over tls'], box, { env: { NODE_EXTRA_CA_CERTS: certificate.certFile } });
    expect(trusted.exitCode).toBe(0);
    expect(reassemble(parseLog(box.logOf('tls')).records, 'out').toString()).toBe('over tls\n');
    const untrusted = await cronwrap(['--name', 'tls', '--lock-redis', redis.url, '--', 'echo', 'must not run'], box);
    expect(untrusted.stderr.toString()).toMatch(/cannot reach Redis at rediss:\/\/127\.0\.0\.1:\d+: TLS certificate not trusted.*the run is skipped/);
    expect(reassemble(parseLog(box.logOf('tls')).records, 'out').toString()).toBe('over tls\n');
  });

  it('Redis unreachable: skipped by default (bounded time), run with --lock-redis-fallback run; said on stderr', async () => {
    const box = sandbox();
    const url = `redis://127.0.0.1:${await freePort()}`;
    const started = Date.now();
    const skipped = await cronwrap(['--name', 'down', '--lock-redis', url, '--lock-busy-exit', '75', '--', 'echo', 'should not run'], box);
    expect(Date.now() - started).toBeLessThan(20_000); // never hung on it (Node's start-up is the machine's)
    expect(Number(footer(parseLog(box.logOf('down'))).duration_ms)).toBeLessThan(5000); // answered at once, within the connect timeout
    expect(skipped.exitCode).toBe(75);
    expect(skipped.stderr.toString()).toMatch(/cannot reach Redis at redis:\/\/127\.0\.0\.1:\d+.*the run is skipped/);
    const ran = await cronwrap(['--name', 'down', '--lock-redis', url, '--lock-redis-fallback', 'run', '--', 'echo', 'ran anyway'], box);
    expect(ran.exitCode).toBe(0);
    expect(ran.stderr.toString()).toMatch(/running without the fleet lock/);
    const log = parseLog(box.logOf('down'));
    expect(reassemble(log.records, 'out').toString()).toBe('ran anyway\n');
    expect(footer(log).lock_problems).toMatch(/cannot reach Redis/);
  });

  it('either fallback tells the failure channels that the fleet lock could not be had', async () => {
    const hook = await startHttp();
    const box = sandbox();
    const url = `redis://127.0.0.1:${await freePort()}`;
    await cronwrap(['--name', 'skipalert', '--webhook', hook.url, '--lock-redis', url, '--', 'true'], box);
    await cronwrap(['--name', 'runalert', '--webhook', hook.url, '--lock-redis', url, '--lock-redis-fallback', 'run', '--', 'true'], box);
    const reports = hook.requests.map((r) => JSON.parse(r.body) as { job: string; kind: string; status: string; exit: number });
    expect(reports.map((r) => [r.job, r.kind])).toEqual([
      ['skipalert', 'failure'],
      ['runalert', 'failure'],
    ]);
    expect(reports[0]!.status).toMatch(/^skipped: the fleet lock could not be taken: cannot reach Redis/);
    expect(reports[1]).toMatchObject({ exit: 0, status: expect.stringMatching(/^succeeded \(exit 0\); fleet lock: cannot reach Redis/) });
  });

  it('Redis stopped mid-run: the running job finishes and the failure is reported', async () => {
    const redis = await startRedis();
    const box = sandbox();
    const pidFile = join(box.dir, 'pid');
    const gone = join(box.dir, 'redis-gone');
    const job = startCronwrap(['--name', 'mid', '--lock-redis', redis.url, '--lock-redis-ttl', '600ms', '-c', `echo $$ > ${pidFile}; while [ ! -e ${gone} ]; do sleep 0.05; done; echo finished; exit 3`], box);
    await waitForPid(pidFile);
    redis.stop();
    await waitFor(() => redis.cli('PING') !== 'PONG'); // the job ends only once Redis is gone
    writeFileSync(gone, '');
    const result = await job;
    expect(result.exitCode).toBe(3);
    expect(Buffer.from(result.stderr as Uint8Array).toString()).toMatch(/cannot (renew|release) the fleet lock/);
    const log = parseLog(box.logOf('mid'));
    expect(reassemble(log.records, 'out').toString()).toBe('finished\n');
    expect(footer(log).lock_problems).toMatch(/cannot (renew|release) the fleet lock/);
  });
});

/** Parses Prometheus text into `name{labels} -> value`, checking HELP and TYPE come first. */
function samples(text: string): Map<string, number> {
  const found = new Map<string, number>();
  const typed = new Set<string>();
  for (const line of text.split('\n')) {
    const type = /^# TYPE (\S+) (gauge|counter)$/.exec(line);
    if (type) typed.add(type[1]!);
    const sample = /^([a-z_]+)(\{[^}]*\}) (\S+)$/.exec(line);
    if (!sample) continue;
    if (sample[1]!.startsWith('cronwrap_')) expect(typed.has(sample[1]!), `TYPE before ${sample[1]}`).toBe(true);
    found.set(`${sample[1]}${sample[2]}`, Number(sample[3]));
  }
  return found;
}

describe('--metrics-dir', () => {
  it('writes cronwrap_<job>.prom after each run, parsed back and checked against the runs', async () => {
    const box = sandbox();
    const dir = join(box.dir, 'textfile');
    const before = Date.now() / 1000;
    await cronwrap(['--name', 'etl', '--metrics-dir', dir, '--', 'true'], box);
    await cronwrap(['--name', 'etl', '--metrics-dir', dir, '-c', 'sleep 0.2; exit 4'], box);
    const after = Date.now() / 1000;
    expect(readdirSync(dir)).toEqual(['cronwrap_etl.prom']);
    const m = samples(readFileSync(join(dir, 'cronwrap_etl.prom'), 'utf8'));
    expect(m.get('cronwrap_runs_total{cron_job="etl"}')).toBe(2);
    expect(m.get('cronwrap_failures_total{cron_job="etl"}')).toBe(1);
    expect(m.get('cronwrap_last_exit_code{cron_job="etl"}')).toBe(4);
    expect(m.get('cronwrap_running{cron_job="etl"}')).toBe(0);
    expect(m.get('cronwrap_last_duration_seconds{cron_job="etl"}')).toBeGreaterThanOrEqual(0.2);
    const success = m.get('cronwrap_last_success_timestamp_seconds{cron_job="etl"}')!;
    const end = m.get('cronwrap_last_end_timestamp_seconds{cron_job="etl"}')!;
    expect(success).toBeGreaterThanOrEqual(before);
    expect(success).toBeLessThan(end);
    expect(end).toBeLessThanOrEqual(after);
    expect(m.get('cronwrap_last_start_timestamp_seconds{cron_job="etl"}')).toBeLessThan(end);
  });

  it('shows cronwrap_running 1 while the job runs', async () => {
    const box = sandbox();
    const dir = join(box.dir, 'textfile');
    const pidFile = join(box.dir, 'pid');
    const done = join(box.dir, 'done');
    const job = startCronwrap(['--name', 'busy', '--metrics-dir', dir, '-c', `echo $$ > ${pidFile}; while [ ! -e ${done} ]; do sleep 0.05; done`], box);
    await waitForPid(pidFile);
    expect(samples(readFileSync(join(dir, 'cronwrap_busy.prom'), 'utf8')).get('cronwrap_running{cron_job="busy"}')).toBe(1);
    writeFileSync(done, ''); // the job runs until the test has looked
    await job;
    expect(samples(readFileSync(join(dir, 'cronwrap_busy.prom'), 'utf8')).get('cronwrap_running{cron_job="busy"}')).toBe(0);
  });

  it('replaces the file atomically: a reader never sees a half-written file', async () => {
    const box = sandbox();
    const dir = join(box.dir, 'textfile');
    await cronwrap(['--name', 'atomic', '--metrics-dir', dir, '--', 'true'], box);
    const path = join(dir, 'cronwrap_atomic.prom');
    let reads = 0;
    let writing = true;
    const runs = Promise.all(Array.from({ length: 12 }, () => cronwrap(['--name', 'atomic', '--metrics-dir', dir, '--', 'true'], box))).finally(() => (writing = false));
    while (writing) {
      const text = readFileSync(path, 'utf8');
      expect(text.endsWith('\n')).toBe(true);
      expect(samples(text).size).toBe(12);
      reads++;
      await sleep(1);
    }
    await runs;
    expect(reads).toBeGreaterThan(10);
    expect(readdirSync(dir)).toEqual(['cronwrap_atomic.prom']); // no temp file left behind
  });
});

withPushgateway('--metrics-push (needs prometheus-pushgateway)', () => {
  it('pushes the same metrics to a real Pushgateway, read back from its /metrics', async () => {
    const gateway = await startPushgateway();
    const box = sandbox();
    await cronwrap(['--name', 'pushed', '--metrics-push', gateway.url, '-c', 'exit 2'], box);
    const m = samples(await gateway.metrics());
    const key = (name: string) => [...m.keys()].find((k) => k.startsWith(`${name}{`) && k.includes('cron_job="pushed"'));
    expect(m.get(key('cronwrap_last_exit_code')!)).toBe(2);
    expect(m.get(key('cronwrap_runs_total')!)).toBe(1);
    expect(m.get(key('cronwrap_failures_total')!)).toBe(1);
    expect(m.get(key('cronwrap_running')!)).toBe(0);
    expect(key('cronwrap_running')).toMatch(/instance="[^"]+"/);
  });

  it('a Pushgateway that is down is reported and changes nothing else', async () => {
    const box = sandbox();
    const result = await cronwrap(['--name', 'nopush', '--metrics-push', `http://127.0.0.1:${await freePort()}`, '--', 'true'], box);
    expect(result.exitCode).toBe(0);
    expect(result.stderr.toString()).toMatch(/cannot push metrics: pushgateway: connection refused/);
    expect(footer(parseLog(box.logOf('nopush'))).metrics_problem).toMatch(/cannot push metrics/);
  });
});
