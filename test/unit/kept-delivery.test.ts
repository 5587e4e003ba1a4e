import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Delivery } from '../../src/net/http.js';
import { deliverAll, type Target } from '../../src/notify/deliver.js';
import type { Notice } from '../../src/notify/notice.js';
import type { KeptAlert } from '../../src/notify/channel.js';
import { keepAlert } from '../../src/notify/spool.js';

/** A kept mail as the email channel keeps it: the recipients at the time. */
type KeptMail = KeptAlert & { to: string[] };

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function stateDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'cronwrap-kept-'));
  dirs.push(dir);
  return dir;
}

const notice = (id: string): Notice => ({
  id, kind: 'failure', job: 'j', host: 'h', user: 'u', run: id, command: ['x'], start: '2026-12-03T00:00:00.000Z', end: '2026-12-03T00:00:01.000Z',
  durationMs: 1000, exitCode: 1, status: 'failed with exit status 1', signal: null, timedOut: false, attempts: 1, consecutiveFailures: 1,
  logPath: '/x.log', head: [], tail: [], totalLines: 0,
});

function keptMail(id: string, keptAt: number): KeptMail {
  return { channel: 'email', notice: notice(id), to: ['ops@example.com'], keptAt: new Date(keptAt).toISOString() };
}

/** `count` mail alerts kept two minutes ago: all due now. */
function keepDue(dir: string, count: number): void {
  const then = Date.now() - 120_000;
  for (let n = 0; n < count; n += 1) keepAlert(dir, keptMail(`a${n}`, then), then + n);
}

/** A mail target that is down: each send costs `costMs` on the test's clock. */
function downTarget(clock: { ms: number }, costMs: number, sent: string[]): Target {
  return {
    id: 'email',
    label: 'email',
    alertsFor: (n): KeptMail[] => [{ channel: 'email', notice: n, to: ['ops@example.com'], keptAt: new Date().toISOString() }],
    send: async (alert, _attempts, budget): Promise<Delivery> => {
      clock.ms += costMs;
      sent.push(alert.notice.id);
      return { ok: false, attempts: 1, error: 'email: down', retryable: true, ...(clock.ms > budget.deadline ? { outOfTime: true } : {}) };
    },
  };
}

/** One delivery on a test clock where each send costs `costMs`: the ids of the alerts it tried, in order, and whether it ran out of time. */
async function tried(dir: string, costMs: number, own: Notice | null, everyKept = false): Promise<{ sent: string[]; outOfTime: boolean }> {
  const clock = { ms: 0 };
  const sent: string[] = [];
  const { results } = await deliverAll(own, [downTarget(clock, costMs, sent)], dir, { budget: { deadline: 60_000, now: () => clock.ms, wallNow: Date.now }, keep: true, everyKept });
  return { sent, outOfTime: results.some((r) => r.outOfTime) };
}

describe('re-sending kept alerts: the work of one run is bounded', () => {
  it('at most 10 kept alerts per channel, then the run\'s own', async () => {
    const dir = stateDir();
    keepDue(dir, 15);
    expect((await tried(dir, 0, notice('own'))).sent).toEqual([...Array.from({ length: 10 }, (_, n) => `a${n}`), 'own']);
    expect(readdirSync(join(dir, 'spool', 'email'))).toHaveLength(16);
  });

  it('kept alerts get 20 s of the 60: none is started after that, the run\'s own still goes', async () => {
    const dir = stateDir();
    keepDue(dir, 5);
    const { sent, outOfTime } = await tried(dir, 8_000, notice('own'));
    expect(sent).toEqual(['a0', 'a1', 'a2', 'own']); // started at 0, 8 and 16 s
    // a2 ran past the 20 s share, not past the run's 60 s: the run did not run out of time.
    expect(outOfTime).toBe(false);
  });

  it('flush tries every kept alert, due or not', async () => {
    const dir = stateDir();
    keepDue(dir, 12);
    keepAlert(dir, keptMail('fresh', Date.now()), Date.now());
    const { sent } = await tried(dir, 0, null, true);
    expect(sent).toHaveLength(13);
    expect(sent.at(-1)).toBe('fresh');
  });
});
