import { existsSync, mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cronwrap, cronwrapAt, hasFaketime, historyOf, sandbox, tempDir, waitFor, type Sandbox } from '../helpers/cronwrap.js';
import { startAlertmanager } from '../helpers/daemons.js';
import { footer, parseLog } from '../helpers/records.js';
import { freePort, startHttp, startSilentServer } from '../helpers/servers.js';

// Issue 26, item 3: maintenance fleet-wide through Alertmanager's silences. Three "hosts" are three state
// directories on this machine; a silence names the host by this machine's name, as node_exporter's instance.
const HOST = hostname();
const SHORT = HOST.split('.')[0]!;
const ALERTMANAGER_CONFIG = 'route:\n  receiver: nobody\nreceivers:\n  - name: nobody\n';

/** A host of the fleet: a state directory asking `url`, and its answer not reused (each run asks). */
function host(url: string, extra: Record<string, string> = {}): Sandbox {
  const box = sandbox();
  Object.assign(box.env, { CRONWRAP_ALERTMANAGER_URL: url, CRONWRAP_ALERTMANAGER_CACHE: '0', ...extra });
  return box;
}

/** A failing backup with a webhook receiver: what the run tells of itself. */
const backup = (box: Sandbox, hook: string, marker = join(box.dir, 'ran')) => cronwrap(['--name', 'backup', '--webhook', hook, '-c', `touch ${marker}; echo working; exit 3`], box);

describe('runs obey Alertmanager silences (--alertmanager-url)', () => {
  it('amtool silence add cron_job=backup quiets the next run on every host (it runs, keeps its status, alerts no one); expiring it brings the alerts back', async () => {
    const alertmanager = await startAlertmanager(tempDir(), ALERTMANAGER_CONFIG);
    const hook = await startHttp();
    const hosts = [host(alertmanager.url), host(alertmanager.url), host(alertmanager.url)];
    const id = alertmanager.amtool('silence', 'add', 'cron_job=backup', '--author', 'alice', '--comment', 'db maintenance', '--duration', '1h');
    for (const box of hosts) {
      const run = await backup(box, hook.url);
      expect(run.exitCode).toBe(3);
      expect(run.stdout.toString()).toBe(''); // no report for cron's MAILTO either
      expect(existsSync(join(box.dir, 'ran'))).toBe(true);
      const end = footer(parseLog(box.logOf('backup')));
      expect(end.silenced).toMatch(new RegExp(`^Alertmanager silence ${id} by alice until \\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z: db maintenance \\(amtool silence expire ${id}\\)$`));
      expect(historyOf(box.stateDir, 'backup')).toMatchObject([{ exit: 3, silenced: end.silenced, notifications: [] }]);
    }
    // Another job of the same host is not named by the silence.
    expect((await cronwrap(['--name', 'restore', '--webhook', hook.url, '--', 'sh', '-c', 'exit 2'], hosts[0]!)).exitCode).toBe(2);
    await waitFor(() => hook.requests.length === 1);
    expect(JSON.parse(hook.requests[0]!.body)).toMatchObject({ job: 'restore' });

    alertmanager.amtool('silence', 'expire', id);
    for (const box of hosts) expect((await backup(box, hook.url)).exitCode).toBe(3);
    expect(hook.requests.map((r) => (JSON.parse(r.body) as { job: string }).job)).toEqual(['restore', 'backup', 'backup', 'backup']);
    expect(footer(parseLog(hosts[2]!.logOf('backup')))).not.toHaveProperty('silenced');
    // history and status tell the silenced run from the one after it.
    const results = (await cronwrap(['history', 'backup', '--json'], hosts[2]!)).stdout.toString();
    const table = (await cronwrap(['history', 'backup'], hosts[2]!)).stdout.toString();
    expect(JSON.parse(results)).toHaveLength(2);
    expect(table).toMatch(/exit 3, silenced/);
    expect(table.match(/exit 3/g)).toHaveLength(2);
  });

  it("a silence whose comment starts with 'skip:' skips the runs (exit 0, history paused) on the hosts it names, until it ends (that part needs faketime)", async () => {
    const alertmanager = await startAlertmanager(tempDir(), ALERTMANAGER_CONFIG);
    const hook = await startHttp();
    // The flag, the environment and the config file all set it.
    const byFlag = sandbox();
    const byEnv = host(alertmanager.url);
    const byConfig = sandbox();
    writeFileSync(byConfig.env.CRONWRAP_CONFIG!, `alertmanager_url = "${alertmanager.url}"\nalertmanager_cache = "0s"\n`);
    const run = (box: Sandbox) => cronwrap([...(box === byFlag ? ['--alertmanager-url', alertmanager.url, '--alertmanager-cache', '0'] : []), '--name', 'backup', '--webhook', hook.url, '-c', `touch ${join(box.dir, 'ran')}; exit 3`], box);
    const id = alertmanager.amtool('silence', 'add', 'cron_job=backup', `instance=${HOST}:9100`, '--comment', 'skip: disk swap', '--duration', '1h');
    // A host that only quiets the job (pause --silence) still obeys a silence that says skip.
    expect((await cronwrap(['pause', 'backup', '--silence', '--force'], byConfig)).exitCode).toBe(0);
    for (const box of [byFlag, byEnv, byConfig]) {
      const skipped = await run(box);
      expect(skipped.exitCode).toBe(0);
      expect(existsSync(join(box.dir, 'ran'))).toBe(false);
      const log = parseLog(box.logOf('backup'));
      expect(log.meta.find((meta) => meta.event === 'skip')?.fields.reason).toMatch(new RegExp(`^Alertmanager silence ${id} by \\S+ until .*: skip: disk swap \\(amtool silence expire ${id}\\)$`));
      expect(footer(log).status).toMatch(/^skipped: Alertmanager silence/);
      expect(historyOf(box.stateDir, 'backup')).toMatchObject([{ paused: true, lock_skipped: false, exit: 0, attempts: 0 }]);
    }
    expect(hook.requests).toHaveLength(0);
    // Once the silence's end has passed by the run's clock, the runs go on by themselves (Alertmanager may not have expired it yet).
    if (hasFaketime) {
      const later = await cronwrapAt('+61m', ['--name', 'backup', '--webhook', hook.url, '-c', `touch ${join(byEnv.dir, 'ran')}; exit 3`], byEnv);
      expect(later.exitCode).toBe(3);
      expect(existsSync(join(byEnv.dir, 'ran'))).toBe(true);
    }
  });

  it('a silence naming another host, or only severity, or another fleet group, applies to nothing here', async () => {
    const alertmanager = await startAlertmanager(tempDir(), ALERTMANAGER_CONFIG);
    const hook = await startHttp();
    const box = host(alertmanager.url);
    alertmanager.amtool('silence', 'add', 'cron_job=backup', 'instance=elsewhere.example.com:9100', '--comment', 'skip: not here');
    alertmanager.amtool('silence', 'add', 'severity=warning', '--comment', 'skip: warnings');
    alertmanager.amtool('silence', 'add', 'cron_job=~back.*', `host!=${SHORT}`, '--comment', 'skip: all but this one');
    alertmanager.amtool('silence', 'add', 'cron_job=backup', 'fleet_group=db', '--comment', 'skip: the db group');
    const run = await backup(box, hook.url);
    expect(run.exitCode).toBe(3);
    expect(run.stderr.toString()).toBe('');
    await waitFor(() => hook.requests.length === 1);
    expect(footer(parseLog(box.logOf('backup')))).not.toHaveProperty('silenced');
    // Named by a regex on its short name and a port, it is.
    alertmanager.amtool('silence', 'add', 'cron_job=~back.*', `instance=~${SHORT}(\\..*)?:\\d+`, '--comment', 'here');
    expect((await backup(box, hook.url)).exitCode).toBe(3);
    expect(footer(parseLog(box.logOf('backup'))).silenced).toMatch(/: here \(amtool/);
    expect(hook.requests).toHaveLength(1);
    // The db group's silence names the job run in that group (--fleet-group), and skips it.
    expect((await cronwrap(['--fleet-group', 'db', '--name', 'backup', '--', 'sh', '-c', 'exit 3'], box)).exitCode).toBe(0);
    expect(footer(parseLog(box.logOf('backup'))).status).toMatch(/^skipped: .*: skip: the db group/);
  });

  it('the answer is reused by the runs within --alertmanager-cache; a forged, damaged or foreign cache is not trusted', async () => {
    const alertmanager = await startAlertmanager(tempDir(), ALERTMANAGER_CONFIG);
    const hook = await startHttp();
    const box = host(alertmanager.url, { CRONWRAP_ALERTMANAGER_CACHE: '1h' });
    const id = alertmanager.amtool('silence', 'add', 'cron_job=backup', '--comment', 'skip: swap');
    expect((await backup(box, hook.url)).exitCode).toBe(0);
    // resume cannot end what Alertmanager holds: it says where to.
    const resumed = await cronwrap(['resume', 'backup'], box);
    expect([resumed.exitCode, resumed.stdout.toString()]).toEqual([0, 'backup was not paused by cronwrap pause; an Alertmanager silence names it (amtool silence query cron_job=backup; amtool silence expire ID)\n']);
    alertmanager.amtool('silence', 'expire', id);
    // Within the hour, the kept answer says skip, and says it is a kept one; a run that may not reuse it asks again.
    expect((await backup(box, hook.url)).exitCode).toBe(0);
    const skip = parseLog(box.logOf('backup')).meta.filter((meta) => meta.event === 'skip').at(-1);
    expect(skip?.fields.reason).toMatch(new RegExp(`\\(amtool silence expire ${id}; as Alertmanager answered at \\d{4}-[\\d-]+T[\\d:.]+Z, kept 3600s \\(--alertmanager-cache\\)\\)$`));
    expect((await cronwrap(['--alertmanager-cache', '0', '--name', 'backup', '--', 'sh', '-c', 'exit 3'], box)).exitCode).toBe(3);

    const cache = join(box.stateDir, 'alertmanager-silences.json');
    const forged = (fields: Record<string, unknown>) =>
      JSON.stringify({ source: 'x', askedAt: Date.now(), silences: [{ id: 'forged', createdBy: 'mallory', comment: 'skip: forged', endsAt: Date.now() + 3_600_000, matchers: [{ name: 'cron_job', value: 'backup', isRegex: false }] }], ...fields });
    for (const text of [
      forged({}), // another Alertmanager's answer (its source)
      forged({ askedAt: Date.now() + 3_600_000 * 24 }), // dated in the future, to live for ever
      forged({ askedAt: 'now' }),
      '{"source": ',
    ]) {
      writeFileSync(cache, text, { mode: 0o600 });
      expect((await backup(box, hook.url)).exitCode).toBe(3);
    }
  });

  it.skipIf(!hasFaketime)('check calls no job MISSED that a silence in the answer a run kept names (needs faketime)', async () => {
    const alertmanager = await startAlertmanager(tempDir(), ALERTMANAGER_CONFIG);
    const hook = await startHttp();
    const [silenced, other] = [host(alertmanager.url, { CRONWRAP_ALERTMANAGER_CACHE: '1h' }), host(alertmanager.url, { CRONWRAP_ALERTMANAGER_CACHE: '1h' })];
    alertmanager.amtool('silence', 'add', 'cron_job=backup', `host=${SHORT}`, '--comment', 'host down for maintenance', '--duration', '1h');
    for (const box of [silenced, other]) {
      const root = join(box.dir, 'root');
      mkdirSync(join(root, 'etc', 'cron.d'), { recursive: true });
      const file = join(root, 'etc', 'cron.d', 'backup');
      writeFileSync(file, `* * * * * root /usr/bin/cronwrap --name ${box === silenced ? 'backup' : 'restore'} -- true\n`);
      const hourAgo = new Date(Date.now() - 3_600_000);
      utimesSync(file, hourAgo, hourAgo);
      expect((await backup(box, hook.url)).exitCode).toBe(3);
    }
    // Three minutes on, cron ran neither: the silenced one is not expected to run, the other is missed.
    const check = (box: Sandbox) => cronwrapAt('+3m', ['check', '--root', join(box.dir, 'root'), '--json'], box);
    const quiet = await check(silenced);
    expect(JSON.parse(quiet.stdout.toString())).toEqual([]);
    expect(quiet.exitCode).toBe(0);
    const missed = await check(other);
    expect(JSON.parse(missed.stdout.toString())).toMatchObject([{ job: 'restore', missed: expect.any(String) }]);
    expect(missed.exitCode).toBe(1);
  });

  it('Alertmanager down, hanging, answering 500 or not JSON: the run goes on within the bound, with a footer note, and keeps its status', async () => {
    const hook = await startHttp();
    const hanging = `http://127.0.0.1:${await startSilentServer()}`;
    const failing = await startHttp((_request, res) => {
      res.statusCode = 500;
      res.end('internal error');
    });
    const nonsense = await startHttp((_request, res) => res.end('<html>not silences</html>'));
    const cases: [string, RegExp][] = [
      [`http://127.0.0.1:${await freePort()}`, /alertmanager: connection refused/],
      [hanging, /alertmanager: no answer within 2s/],
      [failing.url, /alertmanager: HTTP 500: internal error/],
      [nonsense.url, /alertmanager: the answer is not JSON/],
    ];
    for (const [url, problem] of cases) {
      const box = host(url);
      const started = Date.now();
      const run = await backup(box, hook.url);
      expect(Date.now() - started).toBeLessThan(8000); // 2 s for the answer, the rest a busy machine's start
      expect(run.exitCode).toBe(3);
      // The footer and history say it; stderr does not: cron would mail every run of every job while Alertmanager is down.
      expect(run.stderr.toString()).toBe('');
      const end = footer(parseLog(box.logOf('backup')));
      expect(end.silences_problem).toMatch(problem);
      if (url === hanging) expect(Number(end.waited_ms)).toBeGreaterThanOrEqual(1900); // the wait counts, not the job's duration
      expect(historyOf(box.stateDir, 'backup')[0]!.problems).toEqual([expect.stringMatching(problem)]);
    }
    await waitFor(() => hook.requests.length === cases.length);
  });

  it("the answer that failed is kept too: the next runs go on at once without asking; the URL's password is sent as basic auth and never shown", async () => {
    const hook = await startHttp();
    const failing = await startHttp((_request, res) => {
      res.statusCode = 503;
      res.end('down for s3cret-pass maintenance');
    });
    const box = host(failing.url.replace('//', '//ops:s3cret-pass@'), { CRONWRAP_ALERTMANAGER_CACHE: '1h' });
    const first = await backup(box, hook.url);
    expect(footer(parseLog(box.logOf('backup'))).silences_problem).toMatch(/^alertmanager: HTTP 503: down for \(hidden\) maintenance/);
    expect(failing.requests).toMatchObject([{ method: 'GET', url: '/api/v2/silences', headers: { authorization: `Basic ${Buffer.from('ops:s3cret-pass').toString('base64')}` } }]);
    const second = await backup(box, hook.url);
    expect(second.exitCode).toBe(3);
    expect(failing.requests).toHaveLength(1);
    expect(footer(parseLog(box.logOf('backup'))).silences_problem).toMatch(/HTTP 503.*\(asked at .*; asked again after 3600s\)/);
    for (const text of [first.stderr.toString(), second.stderr.toString(), box.logOf('backup').toString(), JSON.stringify(historyOf(box.stateDir, 'backup'))]) {
      expect(text).not.toContain('s3cret');
    }
  });
});
