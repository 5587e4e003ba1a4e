import { chmodSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cronwrap, historyOf, sandbox, type Sandbox } from '../helpers/cronwrap.js';
import { footer, parseLog } from '../helpers/records.js';
import { pagerDutyAnswer, startHttp, type ReceivedRequest } from '../helpers/servers.js';

const ROUTING_KEY = 'R0UT1NGKEYR0UT1NGKEYR0UT1NGKEY12';
const pdEnv = (url: string) => ({ CRONWRAP_PAGERDUTY_ROUTING_KEY: ROUTING_KEY, CRONWRAP_PAGERDUTY_URL: `${url}/v2/enqueue` });

/** The kept alerts' files, as written. */
function keptTexts(box: Sandbox): string[] {
  const dir = join(box.stateDir, 'spool');
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((channel) => readdirSync(join(dir, channel)).map((file) => readFileSync(join(dir, channel, file), 'utf8')));
}

/** A server that takes a request only with this basic auth (as a reverse proxy in front of a webhook does). */
function requiresAuth(authorization: string) {
  return (request: ReceivedRequest, res: ServerResponse) => {
    if (request.headers.authorization === authorization) res.end('ok');
    else res.writeHead(401, { 'www-authenticate': 'Basic realm="alerts"' }).end('unauthorized');
  };
}

describe('a URL with user:password@', () => {
  // The password as written in the URL (percent-escaped) and as sent: curl decodes it, so do we.
  const URL_PASSWORD = 's3cr%40t:pw';
  const BASIC = `Basic ${Buffer.from('bob:s3cr@t:pw').toString('base64')}`;

  it('webhook, ping and Pushgateway send it as an Authorization: Basic header, as curl does', async () => {
    const server = await startHttp(requiresAuth(BASIC));
    const base = server.url.replace('://', `://bob:${URL_PASSWORD}@`);
    const box = sandbox();
    const env = { CRONWRAP_WEBHOOKS: `${base}/hook?token=t0k3n`, CRONWRAP_PING: `${base}/ping/abc`, CRONWRAP_METRICS_PUSH: `${base}/?token=t0k3n` };
    const result = await cronwrap(['--name', 'authed', '-c', 'exit 3'], box, { env });
    expect(result.exitCode).toBe(3);
    const paths = [...new Set(server.requests.map((r) => new URL(r.url, server.url).pathname))].sort();
    expect(paths).toEqual(['/hook', expect.stringMatching(/^\/metrics\/job\/authed\/instance\/./), '/ping/abc/3', '/ping/abc/start']);
    expect(server.requests.map((r) => r.headers.authorization)).toEqual(server.requests.map(() => BASIC));
    expect(server.requests.find((r) => r.url.startsWith('/hook'))!.url).toBe('/hook?token=t0k3n');
    expect(server.requests.find((r) => r.url.startsWith('/metrics'))!.url).toMatch(/^\/metrics\/job\/authed\/instance\/[^/?]+\?token=t0k3n$/);
    expect(footer(parseLog(box.logOf('authed'))).notifications).toMatch(/^webhook http:\/\/127\.0\.0\.1:\d+\/… failure: ok; ping: ok$/);
    expect(historyOf(box.stateDir, 'authed')[0]!.problems ?? []).toEqual([]);
  });

  it('a failing one: no error text holds its password or token (stderr, log end record, history, kept alert)', async () => {
    // A chatty server that echoes what it got, and asks to be left alone for an hour: the alert is kept.
    // To the ping it echoes the password where the answer is cut for the error text (200 characters).
    const server = await startHttp((request, res) =>
      res
        .writeHead(503, { 'retry-after': '3600' })
        .end(request.url.startsWith('/ping') ? `${'.'.repeat(196)}s3cr@t:pw` : `cannot take ${request.url} from ${request.headers.authorization} for http://bob:${URL_PASSWORD}@127.0.0.1/hook?token=t0k3n`),
    );
    const base = server.url.replace('://', `://bob:${URL_PASSWORD}@`);
    const box = sandbox();
    const result = await cronwrap(['--name', 'leaky', '-c', 'exit 4'], box, { env: { CRONWRAP_WEBHOOKS: `${base}/hook?token=t0k3n`, CRONWRAP_PING: `${base}/ping/abc`, CRONWRAP_METRICS_PUSH: `${base}/?token=t0k3n` } });
    expect(result.exitCode).toBe(4);
    const history = historyOf(box.stateDir, 'leaky')[0]!;
    const end = footer(parseLog(box.logOf('leaky')));
    expect(history.notifications).toEqual([
      expect.objectContaining({ ok: false, kept: true, error: expect.stringMatching(/^webhook http:\/\/127\.0\.0\.1:\d+\/…: HTTP 503: cannot take \(hidden\) from Basic \(hidden\) for http:\/\/127\.0\.0\.1\/… \(the server asks to wait 3600s/) }),
      expect.objectContaining({ channel: 'ping', kind: '4', ok: false, error: expect.stringMatching(/^ping 4 http:\/\/127\.0\.0\.1:\d+\/…: HTTP 503: /) }),
    ]);
    expect(end.notifications).toMatch(/HTTP 503/);
    const kept = keptTexts(box);
    expect(kept).toHaveLength(1);
    const everything = [result.stderr.toString(), result.stdout.toString(), box.logOf('leaky').toString(), JSON.stringify(history), ...kept];
    for (const text of everything) {
      for (const secret of ['s3cr', 't0k3n', BASIC.slice(6), '/hook', '/ping/abc']) expect(text).not.toContain(secret);
    }
    expect(result.stderr.toString()).toMatch(/^cronwrap: metrics: cannot push metrics: pushgateway: HTTP 503: cannot take \(hidden\) from Basic \(hidden\) for http:\/\/127\.0\.0\.1\/… \(the server asks/m);
  });

  it('config check accepts it and says how it is sent, and where the password is exposed', async () => {
    const box = sandbox();
    const config = join(box.dir, 'with-password.toml');
    writeFileSync(config, 'webhooks = ["https://hooks.example.com/x"]\n\n[jobs.backup]\nping = "http://bob:pw@hc.example.com/ping/1"\n');
    chmodSync(config, 0o644);
    const result = await cronwrap(['config', 'check', '--config', config], box);
    expect(result.exitCode).toBe(0);
    expect(result.stdout.toString()).toBe(
      `${config}: ok\n` +
        `note: ${config}:1: webhooks: other users can read this file, and the URL's path or query may be its token (a Slack webhook, a ping's UUID): whoever reads it can post to it, or ping success for a job that never ran; chmod o-r ${config}\n` +
        `note: ${config}:4: ping: the URL holds a user and password: cronwrap sends them as HTTP basic auth (an Authorization header, as curl does) and never shows them; over http:// they cross the network readable by anyone on the way: use https://; other users can read them in this file: chmod o-r ${config}\n`,
    );
    expect(result.stderr.toString()).toBe('');
    // Read by root alone: only what cannot change with the mode is said.
    chmodSync(config, 0o600);
    const closed = await cronwrap(['config', 'check', '--config', config], box);
    expect(closed.stdout.toString()).toBe(
      `${config}: ok\nnote: ${config}:4: ping: the URL holds a user and password: cronwrap sends them as HTTP basic auth (an Authorization header, as curl does) and never shows them; over http:// they cross the network readable by anyone on the way: use https://\n`,
    );
  });
});

describe('a port fetch never connects to', () => {
  it('a webhook on a "bad port" (6000): said once, not retried, not kept; a Pushgateway there is said once', async () => {
    const box = sandbox();
    const result = await cronwrap(['--name', 'x11', '--webhook', 'http://127.0.0.1:6000/hook', '--metrics-push', 'http://127.0.0.1:6000', '--', 'false'], box);
    expect(result.exitCode).toBe(1);
    const [alert] = historyOf(box.stateDir, 'x11')[0]!.notifications as { attempts: number; kept: boolean; error: string }[];
    expect(alert).toMatchObject({ attempts: 1, kept: false, error: expect.stringMatching(/fetch refuses this port/) });
    expect(keptTexts(box)).toEqual([]);
    expect(result.stderr.toString().match(/fetch refuses this port/g)).toHaveLength(1); // the start's and the end's push, said once
    expect(result.stdout.toString()).toMatch(/webhook http:\/\/127\.0\.0\.1:6000\/…: fetch refuses this port.*\(not kept/);
  });
});

describe('redirects of a POST alert', () => {
  it('followed within the origin with method and body (307, 308, 301, 302); another host or a 303 is refused for good, not kept', async () => {
    const elsewhere = await startHttp();
    const server = await startHttp((request, res) => {
      const moves: Record<string, [number, string]> = {
        '/307': [307, '/final'],
        '/308': [308, '/final'],
        '/301': [301, '/final'],
        '/302': [302, '/final'],
        '/303': [303, '/final'],
        '/away': [302, `${elsewhere.url}/collect`],
      };
      const move = moves[request.url];
      if (move) res.writeHead(move[0], { location: move[1] }).end();
      else res.end('ok');
    });
    const box = sandbox();
    const hooks = ['/307', '/308', '/301', '/302', '/303', '/away'].map((path) => `${server.url}${path}`);
    const result = await cronwrap(['--name', 'moved', '-c', 'echo the-tail; exit 1'], box, { env: { CRONWRAP_WEBHOOKS: hooks.join(' ') } });
    expect(result.exitCode).toBe(1);
    const finals = server.requests.filter((r) => r.url === '/final');
    expect(finals).toHaveLength(4);
    for (const request of finals) {
      expect(request.method).toBe('POST');
      expect(JSON.parse(request.body)).toMatchObject({ job: 'moved', kind: 'failure' });
    }
    expect(server.requests.filter((r) => r.method !== 'POST')).toEqual([]);
    expect(elsewhere.requests).toEqual([]);
    const notifications = historyOf(box.stateDir, 'moved')[0]!.notifications as Record<string, unknown>[];
    expect(notifications.filter((n) => n.ok)).toHaveLength(4);
    expect(notifications.filter((n) => !n.ok)).toEqual([
      expect.objectContaining({ kept: false, attempts: 1, error: expect.stringMatching(/HTTP 303: the server sends the alert on to a page to GET/) }),
      expect.objectContaining({ kept: false, attempts: 1, error: expect.stringMatching(new RegExp(`HTTP 302: redirected to ${elsewhere.url.replace(/[.]/g, '\\.')}/…, another host`)) }),
    ]);
    expect(keptTexts(box)).toEqual([]);
  });

  it('a redirect loop: a permanent error after a few requests, not kept to repeat', async () => {
    const server = await startHttp((request, res) => res.writeHead(302, { location: `/loop/${server.requests.length}` }).end());
    const box = sandbox();
    await cronwrap(['--name', 'looped', '-c', 'exit 1'], box, { env: { CRONWRAP_WEBHOOKS: `${server.url}/loop` } });
    expect(server.requests).toHaveLength(6);
    expect(historyOf(box.stateDir, 'looped')[0]!.notifications).toEqual([
      expect.objectContaining({ ok: false, kept: false, attempts: 1, error: expect.stringMatching(/HTTP 302: more than 5 redirects \(a loop\?\)/) }),
    ]);
    expect(keptTexts(box)).toEqual([]);
  });
});

describe('PagerDuty rate limits and keys', () => {
  it('a 429 with Retry-After: the next attempt waits as long as asked', async () => {
    const arrivals: number[] = [];
    const answer = pagerDutyAnswer({ 0: { status: 429, retryAfter: '2' } });
    const pd = await startHttp((request, res, index) => {
      arrivals.push(performance.now());
      answer(request, res, index);
    });
    const box = sandbox();
    await cronwrap(['--name', 'limited', '-c', 'exit 1'], box, { env: pdEnv(pd.url) });
    expect(pd.requests).toHaveLength(2);
    expect(arrivals[1]! - arrivals[0]!).toBeGreaterThanOrEqual(1950);
    expect(historyOf(box.stateDir, 'limited')[0]!.notifications).toEqual([expect.objectContaining({ ok: true, attempts: 2 })]);
  });

  it('a Retry-After past the time left for notifications: given up at once and kept, cron is not held', async () => {
    const pd = await startHttp(pagerDutyAnswer({ 0: { status: 429, retryAfter: '3600' } }));
    const box = sandbox();
    const started = performance.now();
    const result = await cronwrap(['--name', 'patient', '-c', 'exit 1'], box, { env: pdEnv(pd.url) });
    expect(performance.now() - started).toBeLessThan(8000);
    expect(pd.requests).toHaveLength(1);
    expect(historyOf(box.stateDir, 'patient')[0]!.notifications).toEqual([
      expect.objectContaining({ ok: false, kept: true, error: expect.stringMatching(/HTTP 429: .*\(the server asks to wait 3600s, longer than the time left\)/) }),
    ]);
    // Not the notification budget that ran out: the server asked for more than it has left.
    expect(result.stderr.toString()).not.toMatch(/within 60s/);
    // The kept alert is not tried again before the hour the server asked for (not the first backoff's minute).
    const [kept] = keptTexts(box).map((text) => JSON.parse(text) as { keptAt: string; nextAt: string });
    expect(Date.parse(kept!.nextAt) - Date.parse(kept!.keptAt)).toBeGreaterThanOrEqual(3599_000);
  });

  it('a dedup key over 255 characters: a stable key the API takes, the same to resolve it', async () => {
    const pd = await startHttp(pagerDutyAnswer());
    const box = sandbox();
    const long = ['--pagerduty-dedup-key', `cronwrap/{host}/{job}/${'x'.repeat(300)}`];
    await cronwrap(['--name', 'keyed', ...long, '-c', 'exit 1'], box, { env: pdEnv(pd.url) });
    await cronwrap(['--name', 'keyed', ...long, '--', 'true'], box, { env: pdEnv(pd.url) });
    const events = pd.requests.map((r) => JSON.parse(r.body) as { event_action: string; dedup_key: string });
    expect(events.map((e) => e.event_action)).toEqual(['trigger', 'resolve']);
    expect(events[0]!.dedup_key.length).toBe(255);
    expect(events[1]!.dedup_key).toBe(events[0]!.dedup_key);
    expect(events[0]!.dedup_key).toMatch(/^cronwrap\/\S+\/keyed\/x+~[0-9a-f]{16}$/);
    expect(historyOf(box.stateDir, 'keyed').flatMap((run) => (run.notifications as { ok: boolean }[] | undefined) ?? []).every((n) => n.ok)).toBe(true);
  });
});
