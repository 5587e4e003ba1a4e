// What cronwrap writes or judges with a time reads the clock it is given (io.now, or a `now` passed down
// from it), never Date.now() behind its caller's back: a test, or an in-process caller, sets the time.
import { createServer, get, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync, mkdirSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { sendWithRetry } from '../../src/net/http.js';
import { streamLog } from '../../src/serve/live-tail.js';
import { jobStatePath } from '../../src/state/job-state.js';
import { activePause } from '../../src/state/pauses.js';
import { runningRuns, startedRuns } from '../../src/state/running.js';
import { parseJobName } from '../../src/util/job-name.js';
import { monotonicMs, preciseWallAnchor } from '../../src/util/monotonic.js';
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
    const anchor = preciseWallAnchor(() => (wall += 1) - 1); // ticks a millisecond per read
    expect(anchor.wallMs).toBe(GIVEN + 1);
  });
});
