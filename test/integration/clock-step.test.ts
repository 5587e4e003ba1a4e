import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cronwrap, cronwrapAt, hasFaketime, historyOf, sandbox } from '../helpers/cronwrap.js';
import { waitForPid } from '../helpers/processes.js';
import { footer, parseLog } from '../helpers/records.js';
import { startHttp } from '../helpers/servers.js';

// A wall clock stepped back (NTP, a VM restored from a snapshot, a dead RTC battery): what cronwrap
// recorded before the step is dated in what is now the future. Each run's clock is set by faketime; the
// monotonic clock is left alone (FAKETIME_DONT_FAKE_MONOTONIC), as it is on a real host.
describe('a wall clock stepped back', () => {
  it.skipIf(!hasFaketime)('a last alert dated in the future does not silence --remind: the next failing run reminds, and counts afresh from then (needs faketime)', async () => {
    const hook = await startHttp();
    const box = sandbox();
    const run = (at: string) => cronwrapAt(`@2026-11-20 ${at}`, ['--name', 'r', '--remind', '1h', '--webhook', hook.url, '-c', 'exit 1'], box);
    const kinds = () => hook.requests.map((r) => (JSON.parse(r.body) as { kind: string }).kind);
    await run('12:00:00');
    expect(kinds()).toEqual(['failure']);
    await run('09:00:00'); // three hours back
    expect(kinds()).toEqual(['failure', 'reminder']);
    await run('09:30:00');
    expect(kinds()).toEqual(['failure', 'reminder']); // within the hour of the reminder
  });

  it.skipIf(!hasFaketime)('a heal dated in the future does not hold heals back for as long as the step (needs faketime)', async () => {
    const box = sandbox();
    const count = join(box.dir, 'heals-run');
    const run = (at: string) => cronwrapAt(`@2026-11-20 ${at}`, ['--name', 'h', '--on-failure', `echo x >> ${count}`, '-c', 'exit 1'], box);
    const healsRun = () => (existsSync(count) ? readFileSync(count, 'utf8').split('\n').length - 1 : 0);
    await run('12:00:00');
    await run('09:00:00'); // three hours back: the hourly cooldown would have held the heal back until 13:00
    expect(healsRun()).toBe(2);
    expect(footer(parseLog(box.logOf('h'))).heal).toMatch(/^not healed: --on-failure exited 0 in \S+; the job failed again after an earlier heal$/);
  });

  it.skipIf(!hasFaketime)('history orders runs by their start on the monotonic clock: overlapping runs across a step back (needs faketime)', async () => {
    const box = sandbox();
    const pidFile = join(box.dir, 'first.pid');
    const gate = join(box.dir, 'gate');
    // The first run starts an hour "ahead" (before the step) and ends last; the second starts after it, at
    // the stepped-back time, and ends first.
    const first = cronwrapAt('+1h', ['--name', 'o', '-c', `echo $$ > ${pidFile}; while [ ! -e ${gate} ]; do sleep 0.05; done; echo first`], box);
    await waitForPid(pidFile);
    expect((await cronwrap(['--name', 'o', '--', 'echo', 'second'], box)).exitCode).toBe(0);
    writeFileSync(gate, '');
    expect((await first).exitCode).toBe(0);

    const written = historyOf(box.stateDir, 'o');
    const boot = readFileSync('/proc/sys/kernel/random/boot_id', 'latin1').trim();
    for (const run of written) expect(run.monotonic).toEqual({ boot, start_us: expect.any(Number) });
    // Written in the order they ended; their wall-clock starts say the second started an hour before the first.
    const [ended1, ended2] = written.map((r) => r.run);
    expect(Date.parse(String(written[0]!.start))).toBeLessThan(Date.parse(String(written[1]!.start)));
    const shown = JSON.parse((await cronwrap(['history', 'o', '--json'], box)).stdout.toString()) as { run: string }[];
    expect(shown.map((r) => r.run)).toEqual([ended1, ended2]); // newest first: the second started last
  });
});
