import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { recentNeverEnded, summarizeJob } from '../../src/jobs/job-summary.js';
import { footerRecord } from '../../src/report/footer.js';
import { historyRecord } from '../../src/report/history-record.js';
import { summarize } from '../../src/run/summary.js';
import { appendHistory, readHistory, type RunRecord } from '../../src/state/history.js';
import { claimNeverEnded, markRunning, runningRuns } from '../../src/state/running.js';
import { parseJobName } from '../../src/util/job-name.js';
import { tempDir } from '../helpers/cronwrap.js';

/** No stage before handed anything on or fell short. */
const NO_STAGES = { results: {}, problems: [] };

const START = Date.parse('2026-11-23T01:00:00.000Z');
const LOST = { run: 'dead01', start: '2026-11-23T00:00:00.000Z', pid: 4242 };

const ok = summarize({
  header: { job: 'backup', run: 'abc123', host: 'db1', user: 'root', pid: 42, command: ['backup.sh'], startMs: START },
  attempts: { outcome: { kind: 'exited', code: 0 }, attempts: 1, drainExpired: false, leftovers: [], leftoversEnded: false },
  output: { out: { lines: 0, bytes: 0, notText: 0 }, err: { lines: 0, bytes: 0, notText: 0 }, head: [], tail: [], log: { path: '/l', bytesNotLogged: 0 } },
  lockProblems: [],
  endMs: START + 1000,
  durationMs: 1000,
  waitedMs: 0,
  startMonoMs: 0,
  rules: { okExit: [], warnExit: [], stderrFails: false },
  heal: undefined,
});

function record(run: string, start: string, more: Partial<RunRecord> = {}): RunRecord {
  return { ...historyRecord({ ...ok, run, startMs: Date.parse(start) }, NO_STAGES), ...more };
}

describe('a run that never ended, as the run that found it tells it', () => {
  it('footer and history name it; a run that found none has neither field', () => {
    const results = { results: { never_ended: [LOST] }, problems: [] };
    expect(footerRecord(ok, results, 5000)).toMatchObject({
      exit: 0,
      never_ended: 'run dead01 started 2026-11-23T00:00:00.000Z (cronwrap pid 4242) never ended: its cronwrap was killed or the host went down',
    });
    expect(historyRecord(ok, results)).toMatchObject({ exit: 0, verdict: 'ok', never_ended: [LOST] });
    expect(footerRecord(ok, NO_STAGES, 5000)).not.toHaveProperty('never_ended');
    expect(historyRecord(ok, NO_STAGES)).not.toHaveProperty('never_ended');
  });

  it('a history line whose never_ended is not a list of runs is not a record', () => {
    const stateDir = tempDir();
    const backup = parseJobName('--name', 'backup');
    appendHistory(stateDir, backup, record('good', '2026-11-23T01:00:00.000Z', { never_ended: [LOST] }), 1000);
    appendHistory(stateDir, backup, { ...record('bad', '2026-11-23T02:00:00.000Z'), never_ended: [{ run: 'x', start: 'y' }] } as unknown as RunRecord, 1000);
    expect(readHistory(stateDir, 'backup').map((r) => r.run)).toEqual(['good']);
  });

  it('status: the latest one, said for a day', () => {
    const runs = [
      record('r1', '2026-11-22T00:00:00.000Z', { never_ended: [{ ...LOST, run: 'old' }] }),
      record('r2', '2026-11-23T01:00:00.000Z', { never_ended: [{ ...LOST, run: 'older', start: '2026-11-22T23:00:00.000Z' }, LOST] }),
      record('r3', '2026-11-23T02:00:00.000Z'),
    ];
    const summary = summarizeJob('backup', runs, START)!;
    expect(summary.last_never_ended).toEqual(LOST);
    expect(recentNeverEnded(summary, Date.parse('2026-11-23T23:59:00.000Z'))).toEqual(LOST);
    expect(recentNeverEnded(summary, Date.parse('2026-11-24T00:01:00.000Z'))).toBeUndefined();
    expect(summarizeJob('backup', [runs[2]!], START)!.last_never_ended).toBeNull();
  });
});

describe('claimNeverEnded', () => {
  it("takes the job's marks whose cronwrap is gone, oldest first, once; leaves live runs and other jobs' marks", () => {
    const stateDir = tempDir();
    const dir = join(stateDir, 'running');
    const j = parseJobName('--name', 'j');
    markRunning(stateDir, { job: j, run: 'live', pid: process.pid, startMs: 1, timeoutMs: null });
    const gone = spawnSync('true').pid; // exited and reaped
    const dead = (job: string, run: string, startMs: number) =>
      writeFileSync(join(dir, `${job}.${run}.json`), JSON.stringify({ job, run, pid: gone, procStart: '1', startMs, timeoutMs: null }));
    dead('j', 'later', 3000);
    dead('j', 'first', 2000);
    dead('j.x', 'other', 1000); // a job whose name starts like j's marks

    expect(claimNeverEnded(stateDir, j, Date.now()).map((mark) => mark.run)).toEqual(['first', 'later']);
    expect(readdirSync(dir).sort()).toEqual(['j.live.json', 'j.x.other.json']);
    expect(claimNeverEnded(stateDir, j, Date.now())).toEqual([]);
    // Readers of the runs in progress (check, serve) see the live run and leave the dead mark to its job.
    expect(runningRuns(stateDir, Date.now()).map((mark) => mark.run)).toEqual(['live']);
    expect(existsSync(join(dir, 'j.x.other.json'))).toBe(true);
  });
});
