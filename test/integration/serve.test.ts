import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { request, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cronwrap, cronwrapProcess, historyOf, sandbox, waitFor, type Sandbox } from '../helpers/cronwrap.js';
import { openTail, startServe, type Serving } from '../helpers/serve.js';
import { selfSignedCertificate } from '../helpers/servers.js';

const running: Serving[] = [];
afterEach(async () => {
  for (const server of running.splice(0)) {
    server.child.kill('SIGTERM');
    await server.child.catch(() => undefined);
  }
});

async function serve(box: Sandbox, args?: readonly string[], env?: Record<string, string>): Promise<Serving> {
  const server = await startServe(box, args, env);
  running.push(server);
  return server;
}

interface JobRow {
  job: string;
  state: string;
  last_result: string | null;
  consecutive_failures: number;
  runs_24h: number;
}

interface Run {
  run: string;
  exit: number;
  log: string;
}

/** Two jobs: `nightly` ran twice and succeeded, `broken` failed printing markup. */
async function preparedState(box: Sandbox): Promise<void> {
  expect((await cronwrap(['--name', 'nightly', '-c', 'echo first'], box)).exitCode).toBe(0);
  expect((await cronwrap(['--name', 'nightly', '-c', 'echo second'], box)).exitCode).toBe(0);
  expect((await cronwrap(['--name', 'broken', '-c', 'echo "<script>alert(1)</script>"; echo oops >&2; exit 3'], box)).exitCode).toBe(3);
}

async function getJson<T>(url: string, headers: Record<string, string> = {}): Promise<T> {
  const response = await fetch(url, { headers });
  expect(response.status, `${url}: ${await response.clone().text()}`).toBe(200);
  return (await response.json()) as T;
}

describe('cronwrap serve: the JSON API', () => {
  it('lists every job, failing first, and gives a job runs newest first and a run its log section', async () => {
    const box = sandbox();
    await preparedState(box);
    const server = await serve(box);
    expect(server.child.stdoutText()).toMatch(/^cronwrap serve: http:\/\/127\.0\.0\.1:\d+\/ \(state .*; token required, in .*\/state\/serve-token: .*\)\n$/);

    const jobs = await getJson<JobRow[]>(`${server.url}/api/jobs`);
    expect(jobs.map((job) => [job.job, job.state, job.last_result])).toEqual([
      ['broken', 'failing', 'exit 3'],
      ['nightly', 'ok', 'ok'],
    ]);
    expect(jobs[1]!.runs_24h).toBe(2);

    const runs = await getJson<Run[]>(`${server.url}/api/jobs/nightly/runs?n=5`);
    expect(runs).toHaveLength(2);
    const newest = await getJson<Run[]>(`${server.url}/api/jobs/nightly/runs?n=1`);
    expect(newest.map((run) => run.run)).toEqual([runs[0]!.run]);

    const section = await getJson<{ lines: { stream: string; text: string }[]; ended: boolean }>(`${server.url}/api/jobs/nightly/runs/${runs[1]!.run}/log`);
    expect(section.ended).toBe(true);
    expect(section.lines.map((line) => line.stream)).toEqual(['meta', 'out', 'meta']);
    expect(section.lines[1]!.text).toBe('first'); // the older run's own line, not the newer one's
    expect(section.lines[0]!.text).toMatch(/^start job=nightly run=/);
  });

  it('tells a running job, the next run of a scheduled one, and a crontab job that has not run yet', async () => {
    const box = sandbox();
    const root = join(box.dir, 'root');
    mkdirSync(join(root, 'etc', 'cron.d'), { recursive: true });
    writeFileSync(join(root, 'etc', 'cron.d', 'reports'), '30 4 * * * root /usr/local/bin/cronwrap --name weekly-report -- /usr/local/bin/report\n');
    expect((await cronwrap(['--name', 'hourly', '--schedule', '0 * * * *', '--', 'true'], box)).exitCode).toBe(0);
    const gate = join(box.dir, 'gate');
    const slow = cronwrapProcess(['--name', 'slow', '-c', `while [ ! -e ${gate} ]; do sleep 0.05; done`], box);
    await waitFor(() => existsSync(join(box.stateDir, 'running')) && readdirSync(join(box.stateDir, 'running')).length > 0);
    const server = await serve(box, ['--listen', '127.0.0.1:0', '--root', root]);
    const asked = Date.now(); // the next run is after the moment the server answers, not after the test looks
    const jobs = await getJson<(JobRow & { next_run: string | null; running_since: string | null })[]>(`${server.url}/api/jobs`);
    const byName = new Map(jobs.map((job) => [job.job, job]));
    expect(byName.get('hourly')?.state).toBe('ok');
    expect(new Date(byName.get('hourly')!.next_run!).getUTCMinutes()).toBe(0);
    expect(Date.parse(byName.get('hourly')!.next_run!)).toBeGreaterThan(asked);
    expect(byName.get('weekly-report')?.state).toBe('scheduled');
    expect(byName.get('weekly-report')?.last_result).toBeNull();
    expect(byName.get('slow')?.state).toBe('running'); // its first run: no history yet
    expect(byName.get('slow')?.running_since).toMatch(/^\d{4}-/);
    writeFileSync(gate, '');
    await slow;
    const after = await getJson<JobRow[]>(`${server.url}/api/jobs`);
    expect(after.find((job) => job.job === 'slow')?.state).toBe('ok');
  });

  it("gives a job the state its last run's verdict says: a healed failure and a --warn-exit status are warnings, a paused run skipped", async () => {
    const box = sandbox();
    expect((await cronwrap(['--name', 'healed', '--on-failure', 'true', '-c', 'exit 2'], box)).exitCode).toBe(2);
    expect((await cronwrap(['--name', 'unhealed', '--on-failure', 'exit 5', '-c', 'exit 2'], box)).exitCode).toBe(2);
    expect((await cronwrap(['--name', 'warned', '--warn-exit', '3', '-c', 'exit 3'], box)).exitCode).toBe(3);
    expect((await cronwrap(['--name', 'accepted', '--ok-exit', '1', '-c', 'exit 1'], box)).exitCode).toBe(1);
    expect((await cronwrap(['--name', 'held', '--', 'true'], box)).exitCode).toBe(0);
    expect((await cronwrap(['pause', 'held'], box)).exitCode).toBe(0);
    expect((await cronwrap(['--name', 'held', '--', 'true'], box)).exitCode).toBe(0); // skipped: paused
    expect((await cronwrap(['resume', 'held'], box)).exitCode).toBe(0);
    const expected = {
      accepted: ['ok', 'exit 1, ok', 'ok'],
      healed: ['warning', 'healed', 'warning'],
      held: ['skipped', 'paused', 'skipped'],
      unhealed: ['failing', 'heal failed', 'failed'],
      warned: ['warning', 'exit 3, warning', 'warning'],
    };
    const server = await serve(box);
    const jobs = await getJson<(JobRow & { last_verdict: string })[]>(`${server.url}/api/jobs`);
    expect(Object.fromEntries(jobs.map((job) => [job.job, [job.state, job.last_result, job.last_verdict]]))).toEqual(expected);
    // status says the same verdicts
    const summaries = JSON.parse((await cronwrap(['status', '--json'], box)).stdout.toString()) as { job: string; last_verdict: string }[];
    expect(Object.fromEntries(summaries.map((s) => [s.job, s.last_verdict]))).toEqual(Object.fromEntries(Object.entries(expected).map(([job, row]) => [job, row[2]])));
  });

  it("answers a page asking again for an unchanged history's runs with 304, and gives the new run once there is one", async () => {
    const box = sandbox();
    await preparedState(box);
    const server = await serve(box);
    const first = await fetch(`${server.url}/api/jobs/nightly/runs?n=1`);
    const etag = first.headers.get('etag')!;
    expect(etag).toMatch(/^".+"$/);
    const [newest] = (await first.json()) as Run[];
    const again = await fetch(`${server.url}/api/jobs/nightly/runs?n=1`, { headers: { 'if-none-match': etag } });
    expect([again.status, await again.text()]).toEqual([304, '']);
    expect((await fetch(`${server.url}/api/jobs/nightly/runs?n=2`, { headers: { 'if-none-match': etag } })).status).toBe(200); // another question
    expect((await cronwrap(['--name', 'nightly', '-c', 'echo third'], box)).exitCode).toBe(0);
    const changed = await fetch(`${server.url}/api/jobs/nightly/runs?n=1`, { headers: { 'if-none-match': etag } });
    expect(changed.status).toBe(200);
    expect(changed.headers.get('etag')).not.toBe(etag);
    const [latest] = (await changed.json()) as Run[];
    expect(latest!.run).not.toBe(newest!.run);
    expect(historyOf(box.stateDir, 'nightly').at(-1)).toMatchObject({ run: latest!.run });
  });

  it('finds a run in the file logrotate made (<log>.1), and says when a run is gone', async () => {
    const box = sandbox();
    await preparedState(box);
    const server = await serve(box);
    const [older] = await getJson<Run[]>(`${server.url}/api/jobs/broken/runs`);
    renameSync(older!.log, `${older!.log}.1`);
    const section = await getJson<{ files: string[]; lines: { text: string }[] }>(`${server.url}/api/jobs/broken/runs/${older!.run}/log`);
    expect(section.files).toEqual([`${older!.log}.1`]);
    expect(section.lines.map((line) => line.text)).toContain('<script>alert(1)</script>');

    renameSync(`${older!.log}.1`, `${older!.log}.2`);
    const gone = await fetch(`${server.url}/api/jobs/broken/runs/${older!.run}/log`);
    expect(gone.status).toBe(404);
    expect(await gone.text()).toContain('rotated away');
    expect((await fetch(`${server.url}/api/jobs/broken/runs/0123456789ab/log`)).status).toBe(404);
  });

  it('takes a job name in a URL only as --name would, refuses writes, and sends no page that could run inline code', async () => {
    const box = sandbox();
    await preparedState(box);
    const server = await serve(box);
    for (const path of ['/api/jobs/..%2F..%2Fetc%2Fpasswd/runs', '/api/jobs/.hidden/runs', '/api/jobs/%2E%2E%2F/tail', '/jobs/a%20b', '/api/jobs/%E0%A4%A/runs']) {
      const response = await fetch(`${server.url}${path}`);
      expect(response.status, path).toBe(400);
      expect(await response.text(), path).toMatch(/cannot be a job name|is not a job name/);
    }
    expect((await fetch(`${server.url}/api/jobs/nightly/runs?n=lots`)).status).toBe(400);
    expect((await fetch(`${server.url}/etc/passwd`)).status).toBe(404);
    expect((await fetch(`${server.url}/api/jobs/%2E%2E/tail`)).status).toBe(404); // the URL parser resolves it away
    expect((await fetch(`${server.url}//etc/passwd`)).status).toBe(404);
    for (const method of ['POST', 'PUT', 'DELETE']) {
      const response = await fetch(`${server.url}/api/jobs`, { method });
      expect(response.status, method).toBe(405);
      expect(response.headers.get('allow')).toBe('GET, HEAD');
    }
    const page = await fetch(`${server.url}/jobs/broken`);
    expect(page.status).toBe(200);
    const policy = page.headers.get('content-security-policy') ?? '';
    expect(policy).toContain("script-src 'self'");
    expect(policy).not.toContain('unsafe-inline');
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    const html = await page.text();
    expect(html).not.toMatch(/<script>|<style>| on\w+=/); // no inline code: the script comes from /assets/app.js
    const script = await fetch(`${server.url}/assets/app.js`);
    expect(script.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect((await script.text()).length).toBeGreaterThan(40_000); // uPlot is inside: the page needs no CDN
  });

  it('exits 0 on SIGTERM, even with a live tail open', async () => {
    const box = sandbox();
    await preparedState(box);
    const server = await serve(box);
    const tail = await openTail(`${server.url}/api/jobs/nightly/tail`);
    await waitFor(() => tail.events.length > 0);
    server.child.kill('SIGTERM');
    const result = await server.child;
    await tail.close();
    expect(result.exitCode).toBe(0);
  });

  it('says why it cannot start: a port in use, a bad --listen', async () => {
    const box = sandbox();
    const first = await serve(box);
    const port = new URL(first.url).port;
    const taken = await cronwrap(['serve', '--listen', `127.0.0.1:${port}`], box);
    expect(taken.exitCode).toBe(125);
    expect(taken.stderr.toString()).toContain(`cannot listen on 127.0.0.1:${port}: EADDRINUSE`);
    const bad = await cronwrap(['serve', '--listen', 'localhost'], box);
    expect(bad.exitCode).toBe(125);
    expect(bad.stderr.toString()).toContain("--listen: 'localhost' is not HOST:PORT");
  });
});

describe('cronwrap serve: who may look', () => {
  function tokenFile(box: Sandbox, token: string, mode = 0o600): string {
    const path = join(box.dir, 'serve.token');
    writeFileSync(path, `${token}\n`);
    chmodSync(path, mode);
    return path;
  }

  it('refuses a token file others can read, and a short token', async () => {
    const box = sandbox();
    const open = await cronwrap(['serve', '--listen', '0.0.0.0:0'], box, { env: { CRONWRAP_SERVE_TOKEN_FILE: tokenFile(box, 'a'.repeat(32), 0o644) } });
    expect(open.exitCode).toBe(125);
    expect(open.stderr.toString()).toMatch(/CRONWRAP_SERVE_TOKEN_FILE: .* is not used/);
    const short = await cronwrap(['serve', '--listen', '0.0.0.0:0'], box, { env: { CRONWRAP_SERVE_TOKEN_FILE: tokenFile(box, 'short') } });
    expect(short.exitCode).toBe(125);
    expect(short.stderr.toString()).toContain('at least 16 characters');
  });

  it('with a token, lets in a Bearer header or the cookie its ?token= link sets, and no one else', async () => {
    const box = sandbox();
    await preparedState(box);
    const token = 'c0ffee'.repeat(6);
    const server = await serve(box, ['--listen', '0.0.0.0:0'], { CRONWRAP_SERVE_TOKEN_FILE: tokenFile(box, token) });
    expect(server.child.stdoutText()).toContain('token required');
    expect(server.child.stdoutText()).not.toContain(token);
    const url = server.url.replace('0.0.0.0', '127.0.0.1');

    for (const headers of [{}, { authorization: 'Bearer wrong' }, { authorization: `Bearer ${token}x` }, { cookie: 'cronwrap_token=nope' }]) {
      const response = await fetch(`${url}/api/jobs`, { headers });
      expect(response.status, JSON.stringify(headers)).toBe(401);
      expect(await response.text()).not.toContain(token);
    }
    expect((await fetch(`${url}/api/jobs/nightly/tail`)).status).toBe(401);
    expect((await fetch(`${url}/?token=wrong`)).status).toBe(401);

    expect((await getJson<JobRow[]>(`${url}/api/jobs`, { authorization: `Bearer ${token}` })).length).toBe(2);
    const link = await fetch(`${url}/jobs/nightly?token=${token}`, { redirect: 'manual' });
    expect(link.status).toBe(303);
    expect(link.headers.get('location')).toBe('/jobs/nightly');
    const cookie = link.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    const page = await fetch(`${url}/jobs/nightly`, { headers: { cookie: cookie.split(';')[0]! } });
    expect(page.status).toBe(200);
  });

  it('serves HTTPS from a certificate and key', async () => {
    const box = sandbox();
    await preparedState(box);
    const tls = selfSignedCertificate();
    chmodSync(tls.keyFile, 0o600);
    const server = await serve(box, ['--listen', '127.0.0.1:0', '--tls-cert', tls.certFile, '--tls-key', tls.keyFile]);
    expect(server.url).toMatch(/^https:/);
    const body = await new Promise<string>((resolve, reject) => {
      httpsRequest(`${server.url}/api/jobs`, { ca: tls.cert, headers: { authorization: `Bearer ${server.token}` } }, (response) => {
        let text = '';
        response.on('data', (chunk: Buffer) => (text += chunk.toString()));
        response.on('end', () => resolve(text));
      }).on('error', reject).end();
    });
    expect((JSON.parse(body) as JobRow[]).map((job) => job.job)).toEqual(['broken', 'nightly']);
    const half = await cronwrap(['serve', '--listen', '127.0.0.1:0', '--tls-cert', tls.certFile], box);
    expect(half.exitCode).toBe(125);
    expect(half.stderr.toString()).toContain('give both --tls-cert and --tls-key');
  });
});

describe('cronwrap serve: the live tail', () => {
  it("streams a job's lines as another process writes them, with their streams, across logrotate", async () => {
    const box = sandbox();
    const server = await serve(box);
    // The job has never run: the tail waits for its log, as tail -F does.
    const tail = await openTail(`${server.url}/api/jobs/ticker/tail`);
    const gate = join(box.dir, 'gate');
    const log = join(box.logDir, 'ticker.log');
    // After the gate, it prints until cronwrap has reopened its log at the path (it looks about once a second).
    const script = `echo tick-1; echo warn-1 >&2; while [ ! -e ${gate} ]; do sleep 0.05; done; while [ ! -e ${log} ]; do echo waiting; sleep 0.1; done; echo tick-2`;
    const job = cronwrapProcess(['--name', 'ticker', '-c', script], box);
    await waitFor(() => tail.texts().includes('warn-1'));
    const lines = tail.events.flatMap((event) => event.lines);
    expect(lines.find((line) => line.text === 'tick-1')?.stream).toBe('out');
    expect(lines.find((line) => line.text === 'warn-1')?.stream).toBe('err');
    expect(lines[0]!.stream).toBe('meta');
    expect(lines[0]!.stamp).toMatch(/^\d{4}-\d\d-\d\dT/);

    renameSync(log, `${log}.1`);
    writeFileSync(gate, '');
    expect((await job).exitCode).toBe(0);
    await waitFor(() => tail.texts().includes('tick-2'));
    await waitFor(() => tail.texts().some((text) => text.startsWith('end job=ticker')));
    await tail.close();
    expect(readFileSync(log, 'utf8')).toContain('tick-2'); // it really went to a new file
  });

  it('keeps up with a job printing as fast as it can: bounded memory, a bounded lag, skipped lines counted', async () => {
    const box = sandbox();
    const server = await serve(box);
    // Both tails are open before the job starts (they wait for its log), and the job floods until the test
    // has seen the tail skip and a run of events: it cannot end before the reader falls behind, however fast
    // the machine. A reader takes at most 256 KiB a poll; the flood writes many times that between polls.
    const tail = await openTail(`${server.url}/api/jobs/flood/tail?lines=10`);
    // A client that stops reading: what the server queues for it is bounded, and once it reads again it
    // gets the newest lines, the end of the run among them.
    const stalled = request(`${server.url}/api/jobs/flood/tail`, { headers: { authorization: `Bearer ${server.token}` } });
    let stalledText = '';
    const stalledResponse = new Promise<IncomingMessage>((resolve) => stalled.on('response', resolve));
    void stalledResponse.then((response) => response.pause());
    stalled.on('error', () => undefined);
    stalled.end();
    const enough = join(box.dir, 'enough');
    const job = cronwrapProcess(['--name', 'flood', '-c', `while [ ! -e ${enough} ]; do seq 1 100000; done`], box);
    const skipped = () => tail.events.reduce((sum, event) => sum + event.skipped_bytes + event.skipped_lines, 0);
    const lags: number[] = [];
    const rss: number[] = [];
    let seen = 0;
    const sample = () => {
      for (const event of tail.events.slice(seen)) {
        const last = event.lines.at(-1);
        if (last && last.stream === 'out') lags.push(Date.now() - Date.parse(last.stamp));
      }
      seen = tail.events.length;
      rss.push(Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${server.child.pid}/status`, 'utf8'))?.[1]) / 1024);
      return skipped() > 0 && lags.length >= 10;
    };
    // Should the tail never skip, the assertions below say so (rather than a bare timeout).
    await waitFor(sample, 30_000).catch(() => undefined);
    writeFileSync(enough, '');
    expect((await job).exitCode).toBe(0);
    await waitFor(() => tail.texts().some((text) => text.startsWith('end job=flood')));
    const reading = await stalledResponse;
    reading.setEncoding('utf8').on('data', (text: string) => (stalledText += text));
    reading.resume();
    await waitFor(() => stalledText.includes('"text":"end job=flood'));
    stalled.destroy();
    await tail.close();
    expect(skipped()).toBeGreaterThan(0);
    expect(lags.length).toBeGreaterThanOrEqual(10);
    // Seconds, not minutes: the tail reads at most 256 KiB a poll and skips the rest (a loaded 2-core CI
    // machine is given room; the page shows the lag itself as stamps).
    expect(Math.max(...lags)).toBeLessThan(10_000);
    expect(Math.max(...rss)).toBeLessThan(200);
  });
});
