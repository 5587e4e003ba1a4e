import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { readRecentHistory } from '../../src/state/history.js';
import { parseJobName } from '../../src/util/job-name.js';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })));

it('reads only the end of a long history, whole records only, oldest first', () => {
  const stateDir = mkdtempSync(join(tmpdir(), 'cronwrap-recent-'));
  dirs.push(stateDir);
  mkdirSync(join(stateDir, 'history'), { mode: 0o700 });
  const record = (i: number) => JSON.stringify({ job: 'j', run: `r${i}`, host: 'h', start: '2026-11-23T00:00:00Z', end: '2026-11-23T00:01:00Z', duration_ms: i, exit: 0, signal: null, timed_out: false, log: '/x', attempts: 1, lock_skipped: false, leftovers: [], leftovers_ended: false, notifications: [] });
  writeFileSync(join(stateDir, 'history', 'j.jsonl'), `${Array.from({ length: 1000 }, (_, i) => record(i)).join('\n')}\n`);
  const runs = readRecentHistory(stateDir, parseJobName('--name', 'j'), 2000);
  expect(runs.length).toBeGreaterThan(3);
  expect(runs.length).toBeLessThan(10);
  expect(runs.at(-1)!.duration_ms).toBe(999);
  expect(runs.map((run) => run.duration_ms)).toEqual(Array.from({ length: runs.length }, (_, i) => 1000 - runs.length + i));
  expect(readRecentHistory(stateDir, parseJobName('--name', 'missing'))).toEqual([]);
});
