import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { failuresText, lastSuccessText, resultOf, runs24hText, summarizeHistory, summarizeJob, SUMMARY_BYTES } from '../../src/jobs/job-summary.js';
import { inStartOrder, isSuccessfulRun, readHistory, readNewestRuns, verdictOf, visitRunsNewestFirst, type NeverEndedRun, type RunRecord } from '../../src/state/history.js';
import { parseJobName } from '../../src/util/job-name.js';
import { runRecord } from '../helpers/run-record.js';

const NOW = Date.parse('2026-12-03T12:00:00Z');
const HOUR = 3600_000;
const job = parseJobName('--name', 'j');
const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })));

function stateDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'cronwrap-history-reading-'));
  dirs.push(dir);
  mkdirSync(join(dir, 'history'), { mode: 0o700 });
  return dir;
}

/** A run that started `hoursAgo` before NOW and took a second. */
function run(hoursAgo: number, fields: Partial<RunRecord> = {}): RunRecord {
  return runRecord('j', NOW - hoursAgo * HOUR, 1000, fields);
}

const lines = (runs: readonly RunRecord[]) => runs.map((r) => `${JSON.stringify(r)}\n`).join('');
const historyFile = (dir: string) => join(dir, 'history', 'j.jsonl');

function newestFirst(dir: string, maxBytes?: number): { runs: RunRecord[]; cut: boolean; damaged: number } {
  const runs: RunRecord[] = [];
  let damaged = 0;
  const cut = visitRunsNewestFirst(dir, job, (r) => runs.push(r) > 0, maxBytes, (_path, count) => (damaged = count));
  return { runs, cut, damaged };
}

/** A never-ended run that started within the day: the one `status` tells (older ones the summary need not find). */
const recent = (lost: NeverEndedRun | undefined) => (lost && NOW - Date.parse(lost.start) <= 24 * HOUR ? lost : null);

/** The summary's figures as their definitions say, from every run (oldest first). */
function wholeSummary(runs: readonly RunRecord[]) {
  const last = runs.at(-1)!;
  let streak = 0;
  for (const r of [...runs].reverse()) {
    if (r.lock_skipped || r.paused) continue;
    if (isSuccessfulRun(r)) break;
    streak++;
  }
  return {
    last_start: last.start,
    last_result: resultOf(last),
    last_verdict: verdictOf(last),
    last_success: runs.findLast(isSuccessfulRun)?.start ?? null,
    consecutive_failures: streak,
    runs_24h: runs.filter((r) => NOW - Date.parse(r.start) <= 24 * HOUR).length,
    counted_since: null,
    failing: verdictOf(last) === 'failed',
    last_never_ended: recent(runs.findLast((r) => r.never_ended?.length)?.never_ended?.at(-1)),
  };
}

describe('the order of runs', () => {
  const boot = (id: string, startUs: number) => ({ monotonic: { boot: `${id}0000000-0000-4000-8000-000000000000`, start_us: startUs } });

  it('readHistory orders the runs of one boot by their monotonic start; older records and other boots keep their place', () => {
    const dir = stateDir();
    // As written (in the order they ended): an old record, then a boot whose wall clock was stepped back
    // (its starts say nothing), then the next boot.
    const old = run(50);
    const [a, b, c] = [run(1, boot('a', 300)), run(3, boot('a', 100)), run(2, boot('a', 200))];
    const [d, e] = [run(0.5, boot('b', 20)), run(0.4, boot('b', 10))];
    writeFileSync(historyFile(dir), lines([old, a, b, c, d, e]));
    expect(readHistory(dir, 'j').map((r) => r.run)).toEqual([old, b, c, a, e, d].map((r) => r.run));
    // A record without the field between two of one boot: each side is ordered apart.
    const gap = run(1.5);
    expect(inStartOrder([a, gap, b, c]).map((r) => r.run)).toEqual([a, gap, b, c].map((r) => r.run));
    expect(inStartOrder([a, b, gap, c]).map((r) => r.run)).toEqual([b, a, gap, c].map((r) => r.run));
  });
});

describe('reading a history from its end', () => {
  it('gives every run newest first, once (its newest copy), across chunks and lines longer than a chunk', () => {
    const dir = stateDir();
    const runs = Array.from({ length: 300 }, (_, i) => run(300 - i, i % 37 === 0 ? { problems: [`history: ${'é'.repeat(12_000)}`] } : {}));
    const copy = { ...runs[100]!, duration_ms: 4242 }; // a trim copied run 100 after later runs were written
    writeFileSync(historyFile(dir), lines([...runs, copy]));
    const { runs: read, cut, damaged } = newestFirst(dir);
    expect([cut, damaged]).toEqual([false, 0]);
    expect(read.map((r) => r.run)).toEqual([copy.run, ...runs.filter((r) => r !== runs[100]).map((r) => r.run).reverse()]);
    expect(read[0]!.duration_ms).toBe(4242);
    expect(read.find((r) => r.problems)?.problems?.[0]).toHaveLength(9 + 12_000);
    expect(readHistory(dir, job)).toEqual([...read].reverse());
    expect(readNewestRuns(dir, job, 3)).toEqual(read.slice(0, 3));
  });

  it('stops where the visitor has enough, and says when maxBytes left older runs unread', () => {
    const dir = stateDir();
    writeFileSync(historyFile(dir), lines(Array.from({ length: 100 }, (_, i) => run(100 - i))));
    let visited = 0;
    expect(visitRunsNewestFirst(dir, job, () => ++visited < 5)).toBe(false);
    expect(visited).toBe(5);
    const bounded = newestFirst(dir, 2000);
    expect(bounded.cut).toBe(true);
    expect(bounded.runs.length).toBeGreaterThan(3);
    expect(bounded.runs.length).toBeLessThan(10); // whole lines of the last 2000 bytes only
    expect(bounded.damaged).toBe(0); // the line cut at the bound is not read as a damaged one
    expect(newestFirst(dir, 1_000_000).cut).toBe(false);
  });

  it('skips and counts a damaged line and a partial last line: the run before them tells the summary', () => {
    const dir = stateDir();
    const good = run(2, { exit: 3 });
    writeFileSync(historyFile(dir), `${lines([run(30), good])}not json\n{"job":"j","run":"r-cut","host":"h","sta`);
    const { runs, damaged } = newestFirst(dir);
    expect(runs.map((r) => r.run)).toEqual([good.run, expect.any(String)]);
    expect(damaged).toBe(2);
    let told = 0;
    const read = summarizeHistory(dir, job, NOW, (_path, count) => (told = count));
    expect(read?.summary).toMatchObject({ last_start: good.start, last_result: 'exit 3', failing: true, consecutive_failures: 1, runs_24h: 1, counted_since: null });
    expect(told).toBe(2);
  });

  it('reads no further back than the summary needs: a head of garbage megabytes is never read', () => {
    const dir = stateDir();
    const garbage = Buffer.alloc(8 * 1024 * 1024, 'not a record \xff\n', 'latin1');
    writeFileSync(historyFile(dir), garbage);
    const success = run(3, { never_ended: [{ run: 'lost', start: new Date(NOW - 3.5 * HOUR).toISOString(), pid: 7 }] });
    appendFileSync(historyFile(dir), lines([run(50), run(26), success, run(2, { exit: 1 }), run(1.5, { lock_skipped: true, attempts: 0, verdict: 'skipped' }), run(1, { exit: 2 })]));
    let damaged = 0;
    const read = summarizeHistory(dir, job, NOW, (_path, count) => (damaged = count));
    expect(damaged).toBe(0);
    expect(read?.summary).toMatchObject({
      last_result: 'exit 2',
      last_verdict: 'failed',
      last_success: success.start,
      consecutive_failures: 2, // the skipped run neither counts nor ends the streak
      runs_24h: 4,
      counted_since: null,
      last_never_ended: { run: 'lost', pid: 7 },
    });
    expect(read?.starts).toHaveLength(5); // down to the run that ended over a day ago, no further
  });

  it('counts a run that ended before a long one that started over a day ago', () => {
    const dir = stateDir();
    const long = run(30, { end: new Date(NOW - HOUR).toISOString() }); // written after `shortOne`, which it outlasted
    const shortOne = run(2);
    writeFileSync(historyFile(dir), lines([run(72), shortOne, long, run(0.2)]));
    expect(summarizeHistory(dir, job, NOW)?.summary.runs_24h).toBe(2);
  });

  it('says which figures it could not count whole when the runs it needs go back beyond SUMMARY_BYTES', () => {
    const dir = stateDir();
    const failures = Array.from({ length: 600 }, (_, i) => run(600 - i, { exit: 1 }));
    writeFileSync(historyFile(dir), lines([run(700), ...failures]));
    expect(lines(failures).length).toBeGreaterThan(SUMMARY_BYTES);
    const summary = summarizeHistory(dir, job, NOW)!.summary;
    expect(summary.last_success).toBeNull();
    expect(summary.consecutive_failures).toBeGreaterThan(100);
    expect(summary.consecutive_failures).toBeLessThan(600);
    expect(summary.counted_since).toBe(failures[600 - summary.consecutive_failures]!.start);
    expect(failuresText(summary)).toBe(`${summary.consecutive_failures}+`);
    expect(lastSuccessText(summary)).toBe(`before ${summary.counted_since}`);
    expect(runs24hText(summary, NOW)).toBe('24'); // the day is all read: exact
    // The same history read whole gives exact figures; they agree as far as they go.
    const whole = summarizeJob('j', readHistory(dir, job), NOW)!;
    expect(whole).toMatchObject({ consecutive_failures: 600, counted_since: null, runs_24h: 24, last_success: expect.any(String) });
    expect(failuresText(whole)).toBe('600');
  });

  it('gives the figures of the whole history whenever it is not cut', () => {
    const dir = stateDir();
    let seed = 7;
    const random = () => (seed = (seed * 48_271) % 2_147_483_647) / 2_147_483_647;
    for (let round = 0; round < 30; round++) {
      const runs = Array.from({ length: 1 + Math.floor(random() * 60) }, (_, i) => {
        const kind = random();
        return run(60 - i + random() * 0.5, {
          exit: kind < 0.4 ? 1 : kind < 0.5 ? 3 : 0,
          ...(kind >= 0.4 && kind < 0.45 ? { verdict: 'warning' as const } : {}),
          ...(kind > 0.9 ? { lock_skipped: true, attempts: 0 } : {}),
          ...(random() < 0.1 ? { never_ended: [{ run: `lost${i}`, start: new Date(NOW - (61 - i) * HOUR).toISOString(), pid: i }] } : {}),
        });
      });
      writeFileSync(historyFile(dir), lines(runs));
      const expected = wholeSummary(runs);
      for (const summary of [summarizeHistory(dir, job, NOW)!.summary, summarizeJob('j', runs, NOW)!]) {
        expect({ ...summary, last_never_ended: recent(summary.last_never_ended ?? undefined) }).toMatchObject(expected);
      }
    }
  });
});
