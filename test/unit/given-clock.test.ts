// What cronwrap writes or judges with a time reads the clock it is given (io.now, or a `now` passed down
// from it), never Date.now() behind its caller's back: a test, or an in-process caller, sets the time.
import { createServer, get, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync, mkdirSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { resolveSettings } from '../../src/config/resolve.js';
import { readJobMetrics } from '../../src/fleet/metrics.js';
import { sendWithRetry } from '../../src/net/http.js';
import { targetsFor } from '../../src/notify/alert-channels.js';
import { alertFinding, finishRun, flushKept, type NoticeFacts } from '../../src/notify/index.js';
import { neverEndedObserver } from '../../src/observers/never-ended.js';
import { runningObserver } from '../../src/observers/running.js';
import type { RunHeader, RunSummary } from '../../src/run/run-values.js';
import { streamLog } from '../../src/serve/live-tail.js';
import { readHeals } from '../../src/state/heals.js';
import { jobStatePath, type StateKind } from '../../src/state/job-state.js';
import { activePause } from '../../src/state/pauses.js';
import { runningRuns, startedRuns } from '../../src/state/running.js';
import { parseJobName } from '../../src/util/job-name.js';
import { monotonicMs, preciseWallAnchor, readClocks } from '../../src/util/monotonic.js';
import { microClock } from '../../src/annotate/strftime.js';
import { tempDir } from '../helpers/cronwrap.js';

const GIVEN = Date.parse('2020-01-02T03:04:05.678Z');
const job = parseJobName('--name', 'backup');

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((done) => server.close(done).closeAllConnections())));
});

async function listen(server: Server): Promise<string> {
  servers.push(server);
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('state written with a time', () => {
  it('a damaged pause file is moved aside under the time the reader was given', () => {
    const stateDir = tempDir();
    const path = jobStatePath(stateDir, 'pauses', job);
    mkdirSync(join(stateDir, 'pauses'), { recursive: true, mode: 0o700 });
    writeFileSync(path, '{ not json', { mode: 0o600 });
    expect(activePause(stateDir, job, GIVEN)).toBeUndefined();
    expect(readdirSync(join(stateDir, 'pauses'))).toEqual(['backup.json.damaged-2020-01-02T030405678Z']);
  });

  it.each([
    ['heals', (stateDir: string) => readHeals(stateDir, 'backup', GIVEN).problem],
    ['metrics', (stateDir: string) => readJobMetrics(stateDir, job, GIVEN).problem],
  ] as const)('a damaged %s file is moved aside under the time its reader was given', (kind: StateKind, read) => {
    const stateDir = tempDir();
    mkdirSync(join(stateDir, kind), { recursive: true, mode: 0o700 });
    writeFileSync(jobStatePath(stateDir, kind, job), '{ not json', { mode: 0o600 });
    expect(read(stateDir)).toContain('backup.json.damaged-2020-01-02T030405678Z');
    expect(readdirSync(join(stateDir, kind))).toEqual(['backup.json.damaged-2020-01-02T030405678Z']);
  });

  it("a run's running mark says it started at the time its observer was given", () => {
    const stateDir = tempDir();
    const observer = runningObserver(stateDir, job, undefined, () => GIVEN);
    observer.on?.({ type: 'start', header: { run: 'r1' } as RunHeader }); // the mark reads only the run id
    observer.on?.({ type: 'ready' });
    expect(JSON.parse(readFileSync(join(stateDir, 'running', 'backup.r1.json'), 'utf8'))).toMatchObject({ run: 'r1', startMs: GIVEN });
  });

  it('earlier runs that never ended are looked for at the given time: a mark being written is left while it is young', async () => {
    const stateDir = tempDir();
    const dir = join(stateDir, 'running');
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const half = join(dir, 'backup.half.json');
    writeFileSync(half, '{"job":"back', { mode: 0o600 });
    utimesSync(half, GIVEN / 1000, GIVEN / 1000);
    const ending = { summary: { job: 'backup' } as RunSummary, stop: new AbortController().signal, results: {}, problems: [] }; // the stage reads neither
    expect(await neverEndedObserver(stateDir, job, () => GIVEN + 5000).end?.(ending)).toBeUndefined();
    expect(existsSync(half)).toBe(true);
    await neverEndedObserver(stateDir, job, () => GIVEN + 11_000).end?.(ending);
    expect(existsSync(half)).toBe(false);
  });

  it('a running mark that cannot be read yet is left while it is young by the given time, removed once it is not', () => {
    const stateDir = tempDir();
    const dir = join(stateDir, 'running');
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const half = join(dir, 'backup.half.json');
    writeFileSync(half, '{"job":"back', { mode: 0o600 }); // a mark being written
    utimesSync(half, GIVEN / 1000, GIVEN / 1000);
    expect(runningRuns(stateDir, GIVEN + 5000)).toEqual([]);
    expect(startedRuns(stateDir, GIVEN + 9000)).toEqual([]);
    expect(existsSync(half)).toBe(true);
    expect(runningRuns(stateDir, GIVEN + 11_000)).toEqual([]);
    expect(existsSync(half)).toBe(false);
  });
});

describe('times read from the given clock', () => {
  it("the live tail's keep-alive is timed by the clock it is given", async () => {
    const log = join(tempDir(), 'backup.log');
    writeFileSync(log, '2020-01-02T03:04:05.678+00:00 out| hello\n');
    let now = GIVEN;
    const url = await listen(
      createServer((_request, response) => {
        response.writeHead(200, { 'content-type': 'text/event-stream' });
        streamLog(response, log, 10, () => {}, () => now);
      }),
    );
    let received = '';
    get(url, (response) => response.on('data', (chunk: Buffer) => (received += chunk.toString())));
    await vi.waitFor(() => expect(received).toContain('hello'), { timeout: 10_000, interval: 20 });
    expect(received).not.toContain('keep-alive');
    now += 16_000; // past the 15 s keep-alive, at once
    await vi.waitFor(() => expect(received).toContain(': keep-alive'), { timeout: 5000, interval: 20 });
  });

  it("a Retry-After date is read against the budget's wall clock", async () => {
    const url = await listen(
      createServer((_request, response) => {
        response.writeHead(503, { 'retry-after': 'Thu, 02 Jan 2020 03:04:35 GMT' }).end();
      }),
    );
    const delivery = await sendWithRetry(url, '{}', { label: 'test' }, { deadline: monotonicMs() + 5000, now: monotonicMs, wallNow: () => Date.parse('2020-01-02T03:04:05.000Z') });
    expect(delivery).toMatchObject({ ok: false, attempts: 1, retryAfterMs: 30_000 });
  });

  it("the stamps' microsecond anchor is read from the wall clock it is given", () => {
    let wall = GIVEN;
    let mono = 0;
    const anchor = preciseWallAnchor(() => (wall += 1) - 1, () => (mono += 0.001)); // ticks a millisecond per read
    expect(anchor.wallMs).toBe(GIVEN + 1);
  });

  it('places no tick seen after a preemption: it waits for the next one, read close to the reading before (ci, two CPU hogs)', () => {
    // Wall reads: 100, 100, 101 (after the process lost the CPU for 3 ms), 101, 102.
    const walls = [100, 100, 101, 101, 102];
    const monos = [0, 0.01, 3.01, 3.02, 3.03];
    const anchor = preciseWallAnchor(() => walls.shift()!, () => monos.shift()!);
    // The tick to 101 was seen 3 ms late; the tick to 102 is placed within 10 µs.
    expect(anchor).toEqual({ wallMs: 102, monoMs: 3.03 });
  });

  it('a stamp whose clocks were read apart (a preemption between them) is carried on, not taken for a clock step', () => {
    // The monotonic clock read before and after the wall clock: 3 ms apart, the process lost the CPU between.
    const monos = [10, 13];
    const apart = readClocks(() => 100, () => monos.shift()!);
    expect(apart).toEqual({ wallMs: 100, monoMs: 13, tight: false });
    expect(readClocks(() => 100, () => 10).tight).toBe(true);
    // Anchored at 100.25 ms when the monotonic clock said 10: the reading above, judged, would move the
    // stamps to 100.999 (a bare millisecond); carried on, it is 103.25, where the monotonic clock says.
    const clock = () => microClock({ wallMs: 100.25, monoMs: 10 });
    expect(clock()(apart.wallMs, apart.monoMs, apart.tight)).toBe(103_250);
    expect(clock()(apart.wallMs, apart.monoMs, true)).toBe(100_999);
  });
});

describe('alerts dated by the clock they are given', () => {
  const facts: NoticeFacts = {
    job: 'backup', host: 'h', user: 'u', run: 'r1', command: ['backup.sh'], start: '2020-01-02T03:04:00.000Z', end: '2020-01-02T03:04:05.000Z', durationMs: 5000,
    exitCode: 1, status: 'failed with exit status 1', signal: null, timedOut: false, attempts: 1, logPath: '/x.log', head: [], tail: [], totalLines: 0,
  };
  /** The settings of a job with no config file, and these alert channels. */
  function settingsWith(webhooks: string[]) {
    const config = join(tempDir(), 'cronwrap.toml');
    writeFileSync(config, '');
    return { ...resolveSettings({ config }, {}, 'backup').settings, webhooks };
  }
  const where = { host: 'h', env: {}, now: () => GIVEN };
  const DAMAGED = '.damaged-2020-01-02T030405678Z';

  function damage(path: string): void {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    writeFileSync(path, '{ not json', { mode: 0o600 });
  }

  it("a run's alert: its policy read and decided, its kept alert written, a damaged file moved aside and a Retry-After date read, all at the run's time", async () => {
    // Down for ten minutes, by the date it gives: ten minutes from the run's time, 2020, not from today's.
    const url = await listen(createServer((_request, response) => response.writeHead(503, { 'retry-after': 'Thu, 02 Jan 2020 03:14:05 GMT' }).end()));
    const stateDir = tempDir();
    const settings = settingsWith([url]);
    const spool = join(stateDir, 'spool', targetsFor(settings, { ...where, job: 'backup', keptOnly: false })[0]!.id);
    damage(jobStatePath(stateDir, 'alerts', job));
    damage(join(spool, '000000000000001-old-failure-send.json'));

    const done = await finishRun({ settings, where, stateDir, job, facts, verdict: 'failed' }, undefined);

    expect(done.problems).toEqual([expect.stringContaining(`backup.json${DAMAGED}`), expect.stringContaining(`000000000000001-old-failure-send.json${DAMAGED}`)]);
    expect(JSON.parse(readFileSync(jobStatePath(stateDir, 'alerts', job), 'utf8'))).toMatchObject({ failures: 1, lastAlertAt: GIVEN });
    const kept = readdirSync(spool).filter((name) => !name.includes('.damaged-'));
    expect(kept).toEqual([`00${GIVEN}-r1-failure-send.json`]);
    expect(JSON.parse(readFileSync(join(spool, kept[0]!), 'utf8'))).toMatchObject({ keptAt: '2020-01-02T03:04:05.678Z', retries: 0, nextAt: '2020-01-02T03:14:05.000Z' });
  });

  it("check's finding is decided at the time it is given, its damaged policy file moved aside under it", async () => {
    const stateDir = tempDir();
    damage(jobStatePath(stateDir, 'alerts', job));
    const told = await alertFinding({ settings: settingsWith([]), where, stateDir, job, facts }, 'missed');
    expect(told).toMatchObject({ sent: true, problems: [expect.stringContaining(`backup.json${DAMAGED}`)] });
    expect(JSON.parse(readFileSync(jobStatePath(stateDir, 'alerts', job), 'utf8'))).toMatchObject({ missedAlerted: true, lastAlertAt: GIVEN });
  });

  it('flush moves a damaged kept alert aside under the time it is given', async () => {
    const stateDir = tempDir();
    damage(join(stateDir, 'spool', 'email', '000000000000001-old-failure-send.json'));
    const flushed = await flushKept({ settings: settingsWith([]), where, job: 'backup', stateDir });
    expect(flushed.problems).toEqual([expect.stringContaining(`000000000000001-old-failure-send.json${DAMAGED}`)]);
  });
});
