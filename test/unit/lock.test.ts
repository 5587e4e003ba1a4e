import { spawnSync } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tryLock, waitForLock } from '../../src/state/lock.js';
import { tempDir } from '../helpers/cronwrap.js';

describe('tryLock', () => {
  it('gives the lock to one holder at a time and takes it back on release', () => {
    const dir = tempDir();
    const first = tryLock(dir, 'job');
    expect(first).toBeDefined();
    expect(tryLock(dir, 'job')).toBeUndefined();
    expect(tryLock(dir, 'other')).toBeDefined();
    first!.release();
    expect(tryLock(dir, 'job')).toBeDefined();
  });

  it('takes over a lock whose holder is gone, and one whose pid now belongs to another process', () => {
    const dir = tempDir();
    const dead = spawnSync('sh', ['-c', 'echo $$']).stdout.toString().trim();
    writeFileSync(join(dir, 'job.lock'), `${dead} 12345\n`);
    expect(tryLock(dir, 'job')).toBeDefined();
    writeFileSync(join(dir, 'other.lock'), `${process.pid} 1\n`); // our pid, but not our start time
    expect(tryLock(dir, 'other')).toBeDefined();
  });

  it('leaves no temporary files behind', () => {
    const dir = tempDir();
    tryLock(dir, 'job');
    tryLock(dir, 'job');
    expect(readdirSync(dir)).toEqual(['job.lock']);
  });
});

describe('waitForLock', () => {
  it('polls until the deadline, and stops when the sleep is cut short', async () => {
    const dir = tempDir();
    const held = tryLock(dir, 'job')!;
    const naps: number[] = [];
    const start = performance.now();
    expect(await waitForLock(dir, 'job', 300, async (ms) => (naps.push(ms), await new Promise((r) => setTimeout(r, ms)), false))).toBeUndefined();
    expect(performance.now() - start).toBeGreaterThanOrEqual(290);
    // It polls: naps of at most 200 ms, not the whole wait at once (however late a loaded machine wakes it).
    expect(naps.length).toBeGreaterThan(0);
    expect(naps.every((ms) => ms > 0 && ms <= 200)).toBe(true);
    expect(await waitForLock(dir, 'job', 10_000, async () => true)).toBeUndefined();
    // Released while it naps: it takes the lock when it looks again.
    expect(await waitForLock(dir, 'job', 5000, async () => (held.release(), false))).toBeDefined();
  });
});
