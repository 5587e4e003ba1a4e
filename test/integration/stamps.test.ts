import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, cronwrap, hasFaketime, sandbox, untilLogged, type Sandbox } from '../helpers/cronwrap.js';
import { parseLog } from '../helpers/records.js';

/** Shell text printing `count` lines, each once the one before is in `job`'s log: one read, one stamp each. */
function linesOneReadEach(box: Sandbox, job: string, count: number): string {
  return Array.from({ length: count }, (_, i) => `echo l${i}; ${untilLogged(box, job, `l${i}`)}`).join('; ');
}

/** `00:00:01.234` or `1.234567` as seconds. */
function seconds(stamp: string): number {
  const clock = /^(\d\d):(\d\d):(\d\d\.\d+)$/.exec(stamp);
  return clock ? Number(clock[1]) * 3600 + Number(clock[2]) * 60 + Number(clock[3]) : Number(stamp);
}

describe('microseconds (%.S, %.s, %.T)', () => {
  it('are real from the first stamp: not a millisecond padded with 000 or 999 while the clock settles', async () => {
    const box = sandbox();
    const firsts: string[] = [];
    for (let i = 0; i < 8; i++) {
      const result = await cronwrap(['-t', '%.s'], box, { input: 'first\n' });
      firsts.push(/^\d+\.(\d{6}) /.exec(result.stdout.toString())![1]!);
    }
    // A real count ends in 000 or 999 twice in a thousand stamps; one such in eight runs is chance, two are not.
    expect(firsts.filter((us) => us.endsWith('000') || us.endsWith('999')).length, firsts.join(' ')).toBeLessThanOrEqual(1);
  });

  it('are real, in order and on the wall clock, not the millisecond padded with 000', async () => {
    const box = sandbox();
    const before = Date.now();
    await cronwrap(['--name', 'micro', '-t', '%.s %.T', '-c', linesOneReadEach(box, 'micro', 20)], box);
    const after = Date.now();
    const stamps = parseLog(box.logOf('micro')).records.map((record) => /^(\d+)\.(\d{6}) \d\d:\d\d:\d\d\.(\d{6})$/.exec(record.stamp));
    expect(stamps).toHaveLength(20);
    const micros = stamps.map((match) => {
      expect(match?.[3]).toBe(match?.[2]);
      return BigInt(`${match![1]}${match![2]}`);
    });
    for (let i = 1; i < micros.length; i++) expect(micros[i]! > micros[i - 1]!).toBe(true);
    expect(Number(micros[0]) / 1000).toBeGreaterThanOrEqual(before - 1);
    expect(Number(micros.at(-1)) / 1000).toBeLessThanOrEqual(after + 1);
    // A real microsecond count ends in 000 once in a thousand stamps; the wall clock's milliseconds always do.
    expect(micros.filter((us) => us % 1000n === 0n).length).toBeLessThanOrEqual(1);
  });

  it.skipIf(!hasFaketime)('follow the wall clock when it is stepped forward or back (needs faketime)', () => {
    const box = sandbox();
    // libfaketime reads the clock from this file at every call; the job steps it between lines.
    const clockFile = join(box.dir, 'clock');
    writeFileSync(clockFile, '@2020-02-02 02:02:02\n');
    const step = (to: string, line: string) => `echo '@${to}' > ${clockFile}; echo ${line}; ${untilLogged(box, 'step', line)}`;
    const script = [`echo before; ${untilLogged(box, 'step', 'before')}`, step('2030-01-01 00:00:00', 'ahead'), `echo ahead2; ${untilLogged(box, 'step', 'ahead2')}`, step('2010-01-01 00:00:00', 'back'), 'echo back2'].join('; ');
    // faketime sets FAKETIME, which would win over the file: `env -u` drops it, the preload stays.
    const run = spawnSync('faketime', ['-f', '@2020-02-02 02:02:02', 'env', '-u', 'FAKETIME', BIN, '--name', 'step', '-t', '%F %.T', '-c', script], {
      env: { ...box.env, TZ: 'UTC', FAKETIME_TIMESTAMP_FILE: clockFile, FAKETIME_NO_CACHE: '1', FAKETIME_DONT_FAKE_MONOTONIC: '1' },
      timeout: 20_000,
    });
    expect(run.status).toBe(0);
    const stamps = new Map(parseLog(box.logOf('step')).records.map((record) => [record.text.toString(), Date.parse(`${record.stamp.replace(' ', 'T')}Z`)]));
    const near = (line: string, to: string) => {
      const at = Date.parse(`${to.replace(' ', 'T')}Z`);
      expect(stamps.get(line)).toBeGreaterThanOrEqual(at - 2);
      expect(stamps.get(line)).toBeLessThan(at + 5000);
    };
    near('before', '2020-02-02 02:02:02');
    near('ahead', '2030-01-01 00:00:00');
    near('ahead2', '2030-01-01 00:00:00');
    near('back', '2010-01-01 00:00:00');
    near('back2', '2010-01-01 00:00:00');
    expect(stamps.get('ahead2')).toBeGreaterThanOrEqual(stamps.get('ahead')!);
    expect(stamps.get('back2')).toBeGreaterThanOrEqual(stamps.get('back')!);
  });
});

describe('filter mode counts from the process start', () => {
  it.each(['elapsed', 'delta', 'elapsed:%.s', 'delta:%H:%M:%.S'])('-t %s: a slow start-up is in the first span and the duration', async (style) => {
    const box = sandbox();
    // Loaded by Node before cronwrap: 0.6 s of start-up, as on a busy host, while the line waits in the pipe.
    const slowStart = join(box.dir, 'slow-start.cjs');
    writeFileSync(slowStart, 'Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 600);\n');
    const log = join(box.dir, 'filter.log');
    const result = await cronwrap(['--log', log, '-t', style], box, { input: 'waiting\n', env: { NODE_OPTIONS: `--require ${slowStart}` } });
    expect(result.exitCode).toBe(0);
    const written = parseLog(readFileSync(log));
    expect(written.records.map((record) => record.text.toString())).toEqual(['waiting']);
    expect(seconds(written.records[0]!.stamp)).toBeGreaterThanOrEqual(0.6);
    const end = written.meta.find((meta) => meta.event === 'end');
    expect(Number(end?.fields.duration_ms)).toBeGreaterThanOrEqual(600);
  });
});

describe('ts -s FORMAT and ts -i FORMAT', () => {
  it('elapsed:FORMAT and delta:FORMAT print the span in a strftime format, microseconds and all', async () => {
    const box = sandbox();
    const stampsOf = async (job: string, style: string) => {
      const started = Date.now();
      await cronwrap(['--name', job, '-t', style, '-c', linesOneReadEach(box, job, 2)], box, { env: { TZ: 'America/Los_Angeles' } });
      return { stamps: parseLog(box.logOf(job)).records.map((record) => record.stamp), took: (Date.now() - started) / 1000 };
    };
    const elapsed = await stampsOf('since-start', 'elapsed:%.s');
    expect(elapsed.stamps).toEqual([expect.stringMatching(/^\d+\.\d{6}$/), expect.stringMatching(/^\d+\.\d{6}$/)]);
    const [a, b] = elapsed.stamps.map(seconds) as [number, number];
    expect(b).toBeGreaterThan(a);
    expect(b).toBeLessThanOrEqual(elapsed.took);
    // The span's hours are 00 whatever the zone (ts reads it with gmtime), not the zone's offset from 1970.
    const delta = await stampsOf('since-last', 'delta:%H:%M:%.S');
    expect(delta.stamps).toEqual([expect.stringMatching(/^00:00:\d\d\.\d{6}$/), expect.stringMatching(/^00:00:\d\d\.\d{6}$/)]);
    expect(delta.stamps.map(seconds).reduce((x, y) => x + y)).toBeLessThanOrEqual(delta.took);
  });

  it('elapsed: with no strftime format after it is refused with the fix', async () => {
    const result = await cronwrap(['-t', 'elapsed:ss'], sandbox(), { input: 'x\n' });
    expect(result.exitCode).toBe(125);
    expect(result.stderr.toString()).toContain("--timestamp: 'elapsed:ss': after 'elapsed:' give a ts/strftime format such as '%H:%M:%.S' or '%.s'");
  });
});

describe('the last line without a newline', () => {
  it('is logged when its stream closes, before what the other stream writes later', async () => {
    const box = sandbox();
    const log = join(box.logDir, 'partial.log');
    // stderr writes once the partial line is in the log; a cronwrap that keeps it until the exit makes this
    // wait its 5 s out, and logs `late` first.
    const script = `printf partial; exec >&-; n=0; until grep -q 'out! partial' ${log} || [ $n = 250 ]; do sleep 0.02; n=$((n+1)); done; echo late >&2`;
    await cronwrap(['--name', 'partial', '-t', '%.s', '-c', script], box);
    const { records } = parseLog(box.logOf('partial'));
    expect(records.map((record) => `${record.stream}${record.flag} ${record.text.toString()}`)).toEqual(['out! partial', 'err| late']);
    expect(BigInt(records[0]!.stamp.replace('.', ''))).toBeLessThan(BigInt(records[1]!.stamp.replace('.', '')));
  });
});
