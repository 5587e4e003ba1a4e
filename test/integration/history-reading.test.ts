import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cronwrap, sandbox, type Sandbox } from '../helpers/cronwrap.js';
import { runRecord } from '../helpers/run-record.js';

const HOUR = 3600_000;

/** A history line as cronwrap writes it: a run that started `hoursAgo` before now and took two seconds. */
function record(job: string, hoursAgo: number, fields: Record<string, unknown> = {}): string {
  return `${JSON.stringify({ ...runRecord(job, Date.now() - hoursAgo * HOUR, 2000), ...fields })}\n`;
}

function historyFile(box: Sandbox, job: string): string {
  mkdirSync(join(box.stateDir, 'history'), { recursive: true, mode: 0o700 });
  return join(box.stateDir, 'history', `${job}.jsonl`);
}

interface Summary {
  job: string;
  last_result: string;
  last_success: string | null;
  consecutive_failures: number;
  runs_24h: number;
  counted_since: string | null;
}

async function status(box: Sandbox, json = true) {
  const result = await cronwrap(json ? ['status', '--json'] : ['status'], box);
  return { ...result, out: result.stdout.toString(), err: result.stderr.toString() };
}

describe('status reads a history from its end', () => {
  it('never reads the head of a long history it does not need: megabytes of garbage there go unseen', async () => {
    const box = sandbox();
    const path = historyFile(box, 'nightly');
    writeFileSync(path, Buffer.alloc(16 * 1024 * 1024, '{"job":"nightly","run":"garbage\xff\n', 'latin1'));
    const success = record('nightly', 5);
    appendFileSync(path, [record('nightly', 49), record('nightly', 25), success, record('nightly', 3, { exit: 2 }), record('nightly', 1, { exit: 4 })].join(''));

    const { exitCode, out, err } = await status(box);
    expect(err).toBe(''); // not one damaged line: the garbage was never read
    expect(exitCode).toBe(1); // the last run failed
    expect(JSON.parse(out)).toMatchObject([
      { job: 'nightly', last_result: 'exit 4', last_success: JSON.parse(success).start, consecutive_failures: 2, runs_24h: 3, counted_since: null },
    ]);
  });

  it('skips a damaged or partial last line, says so, and sums up the runs before it', async () => {
    const box = sandbox();
    const path = historyFile(box, 'backup');
    writeFileSync(path, `${record('backup', 30)}${record('backup', 2, { exit: 3 })}{"job":"backup","run":"0000000000ff","host":"h","sta`);
    const { out, err } = await status(box);
    expect(err).toBe(`cronwrap: ${path}: 1 damaged line skipped\n`);
    expect(JSON.parse(out)).toMatchObject([{ job: 'backup', last_result: 'exit 3', consecutive_failures: 1, runs_24h: 1, counted_since: null }]);
  });

  it('reads at most the last 64 KiB of a history, and marks the figures that go back further as partial', async () => {
    const box = sandbox();
    const path = historyFile(box, 'flaky');
    // Two days of failures every 5 minutes after one success: far more than 64 KiB.
    const lines = [record('flaky', 60)];
    for (let i = 48 * 12; i > 0; i--) lines.push(record('flaky', i / 12, { exit: 1 }));
    writeFileSync(path, lines.join(''));

    const [summary] = JSON.parse((await status(box)).out) as Summary[];
    expect(summary!.last_success).toBeNull();
    expect(summary!.counted_since).not.toBeNull();
    expect(summary!.consecutive_failures).toBeGreaterThan(100);
    expect(summary!.consecutive_failures).toBeLessThan(48 * 12);
    expect(summary!.runs_24h).toBe(summary!.consecutive_failures); // the runs read are all of the last day

    const table = (await status(box, false)).out.split('\n');
    expect(table[1]).toMatch(new RegExp(`^flaky .* exit 1 .* before ${summary!.counted_since!.replace(/\./g, '\\.')} +${summary!.consecutive_failures}\\+ +${summary!.runs_24h}\\+ *$`));
  });
});
