import { existsSync, readdirSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cronwrap, cronwrapProcess, historyOf, sandbox, waitFor, type Sandbox } from '../helpers/cronwrap.js';
import { signalTaken } from '../helpers/processes.js';
import { startHttp, type ReceivedRequest } from '../helpers/servers.js';

/** A ping as the healthchecks server handled it: the check, the run id, the event (the path after the check's), the body. */
interface HandledPing {
  check: string;
  rid: string;
  event: string;
  body: string;
}

/**
 * A healthchecks-like server on 127.0.0.1 that notes each ping when it has handled it (as a busy server
 * handles concurrent requests: a slow /start can finish after an end sent next to it). `startDelayMs`:
 * how long /start takes (Infinity: it never answers); `failFirstStart`: the first /start is answered 503
 * (and not counted).
 */
async function healthchecks({ startDelayMs = 0, failFirstStart = false } = {}) {
  const handled: HandledPing[] = [];
  let starts = 0;
  const server = await startHttp((request: ReceivedRequest, res: ServerResponse) => {
    const url = new URL(request.url, 'http://127.0.0.1');
    const [, check = '', event = '/'] = /^\/ping\/([^/]+)(\/.*)?$/.exec(url.pathname) ?? [];
    const ping = { check, rid: url.searchParams.get('rid') ?? '', event, body: request.body };
    if (event !== '/start') {
      handled.push(ping);
      res.end('OK');
      return;
    }
    if (failFirstStart && starts++ === 0) {
      res.writeHead(503).end('try again');
      return;
    }
    if (startDelayMs === Infinity) return;
    setTimeout(() => {
      handled.push(ping);
      res.end('OK');
    }, startDelayMs);
  });
  return { url: `${server.url}/ping/check`, checkUrl: (check: string) => `${server.url}/ping/${check}`, requests: server.requests, handled };
}

/** The events one run's pings were handled in, in order. */
const eventsOf = (handled: HandledPing[], rid: string) => handled.filter((p) => p.rid === rid).map((p) => p.event);

const ping = (box: Sandbox, url: string, job: string, ...command: string[]) => cronwrap(['--name', job, '--ping', url, ...command], box);

describe('health-check pings arrive in order', () => {
  // The server takes 250 ms over /start, so on main's code (end sent beside the start) every run's end was
  // handled first; the 11 of 40 came from the network's timing alone. Eight runs, four at a time.
  it('8 quick runs, /start slow to handle: every run\'s end is handled after its start', async () => {
    const hc = await healthchecks({ startDelayMs: 250 });
    const box = sandbox();
    for (let batch = 0; batch < 2; batch++) {
      await Promise.all(Array.from({ length: 4 }, (_, i) => ping(box, hc.url, `quick${i}`, '--', 'true')));
    }
    const rids = [...new Set(hc.handled.map((p) => p.rid))];
    expect(rids).toHaveLength(8);
    const outOfOrder = rids.filter((rid) => eventsOf(hc.handled, rid).join(' ') !== '/start /');
    expect(outOfOrder.map((rid) => eventsOf(hc.handled, rid).join(' '))).toEqual([]);
  });

  it('a /start answered 503 once: the end follows, and the start is not retried after it', async () => {
    const hc = await healthchecks({ failFirstStart: true });
    const box = sandbox();
    const result = await ping(box, hc.url, 'flaky-start', '--', 'true');
    expect(result.exitCode).toBe(0);
    const paths = hc.requests.map((r) => new URL(r.url, 'http://x').pathname.replace('/ping/check', '') || '/');
    expect(paths).toEqual(['/start', '/']);
  });

  it('told to stop while the end waits for a /start that never answers: the start is given up too, at once', async () => {
    const hc = await healthchecks({ startDelayMs: Infinity });
    const box = sandbox();
    const run = cronwrapProcess(['--name', 'hung-start', '--ping', hc.url, '--', 'sh', '-c', 'exit 4'], box);
    // The running mark is made before /start is sent and removed first thing after the job: the run is ending.
    const marks = join(box.stateDir, 'running');
    await waitFor(() => hc.requests.length > 0 && existsSync(marks) && readdirSync(marks).length === 0);
    run.kill('SIGTERM');
    await waitFor(() => signalTaken(run.pid!, 'SIGTERM')); // else the two could reach it as one
    const second = Date.now();
    run.kill('SIGTERM');
    const result = await run;
    expect(Date.now() - second).toBeLessThan(2_500); // the start's own 10 s timeout held it before
    expect(result.exitCode).toBe(4);
    expect(historyOf(box.stateDir, 'hung-start')[0]!.notifications).toEqual([expect.objectContaining({ channel: 'ping', ok: false, error: expect.stringMatching(/not sent: cronwrap got SIGTERM/) })]);
  });
});

describe('health-check end pings', () => {
  it('a failed exit sends /<exit status>; --ok-exit and --warn-exit statuses are success; a failure with exit 0 is /fail', async () => {
    const hc = await healthchecks();
    const box = sandbox();
    // One check per job (as healthchecks has them), run side by side.
    const run = (job: string, ...args: string[]) => ping(box, hc.checkUrl(job), job, ...args);
    const [three] = await Promise.all([
      run('three', '-c', 'echo three; exit 3'),
      run('okthree', '--ok-exit', '3', '-c', 'exit 3'),
      run('warnfour', '--warn-exit', '4', '-c', 'exit 4'),
      run('noisy', '--stderr-fails', '-c', 'echo oops >&2'),
      run('missing', '--', 'no-such-program-here'),
    ]);
    expect(three.exitCode).toBe(3);
    const ends = Object.fromEntries(hc.handled.filter((p) => p.event !== '/start').map((p) => [p.check, p.event]));
    expect(ends).toEqual({ three: '/3', okthree: '/', warnfour: '/', noisy: '/fail', missing: '/127' });
    expect(hc.handled.find((p) => p.event === '/3')!.body).toMatch(/out\| three\n[^\n]*exit status 3[^\n]*\n$/);
  });

  it('a timeout or a signal sends /fail with the output and what ended the run', async () => {
    const hc = await healthchecks();
    const box = sandbox();
    const [slow, killed] = await Promise.all([
      ping(box, hc.checkUrl('slow'), 'slow', '--timeout', '0.3s', '--kill-after', '1s', '-c', 'echo working; exec sleep 30'),
      ping(box, hc.checkUrl('killed'), 'killed', '-c', 'echo dying; kill -9 $$'),
    ]);
    expect([slow.exitCode, killed.exitCode]).toEqual([124, 137]);
    const ends = ['slow', 'killed'].map((check) => hc.handled.find((p) => p.check === check && p.event !== '/start')!);
    expect(ends.map((p) => p.event)).toEqual(['/fail', '/fail']);
    expect(ends[0]!.body).toMatch(/out\| working\n[^\n]*timed out after[^\n]*\n$/);
    expect(ends[1]!.body).toMatch(/out\| dying\n[^\n]*SIGKILL[^\n]*\n$/);
  });

  it('the body is the log\'s tail, far more than 20 lines, at most the 100 kB healthchecks keeps, from a whole record', async () => {
    const hc = await healthchecks();
    const box = sandbox();
    // 6000 lines of 60 bytes (360 kB): the body holds the last ~1000 of them.
    await ping(box, hc.url, 'chatty', '-c', 'seq -f "%059g" 1 6000; exit 2');
    const end = hc.handled.find((p) => p.event === '/2')!;
    const bytes = Buffer.byteLength(end.body);
    expect(bytes).toBeLessThanOrEqual(100_000);
    expect(bytes).toBeGreaterThan(90_000);
    const lines = end.body.trimEnd().split('\n');
    expect(lines.length).toBeGreaterThan(1000);
    expect(lines[0]).toMatch(/^\S+ out\| 0{50,}\d+$/);
    expect(lines.at(-2)).toMatch(/out\| 0+6000$/);
    expect(lines.at(-1)).toMatch(/exit status 2/);
  });
});
