import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runWrapped } from '../../src/commands/wrap.js';
import { resolveSettings } from '../../src/config/resolve.js';
import { main } from '../../src/main.js';
import { observersFor } from '../../src/observers/index.js';
import type { Observer } from '../../src/run/events.js';
import { readHistory } from '../../src/state/history.js';
import { parseJobName } from '../../src/util/job-name.js';
import { sandbox } from '../helpers/cronwrap.js';
import { memoryIo } from '../helpers/memory-io.js';
import { footer, parseLog, reassemble } from '../helpers/records.js';
import { startHttp } from '../helpers/servers.js';

/** An observer with the stage's name that throws a bug (a TypeError) while the run goes on, or at its end. */
function broken(stage: string, phase: 'on' | 'end'): Observer {
  const fail = () => {
    throw new TypeError(`${stage} broke`);
  };
  return phase === 'on' ? { stage, on: fail, end: () => undefined } : { stage, end: fail };
}

describe('the guard around observers', () => {
  it.each([
    ['alerts', 'on'],
    ['alerts', 'end'],
    ['metrics', 'on'],
    ['metrics', 'end'],
    ['history', 'end'],
  ] as const)('a %s observer that throws in %s costs the job nothing: exit status, output, footer and the other observers stand', async (stage, phase) => {
    const box = sandbox();
    const hook = await startHttp();
    const metricsDir = join(box.dir, 'metrics');
    const io = memoryIo(box.env);
    const { settings } = resolveSettings({ webhooks: `${hook.url}/hook`, metricsDir }, io.env, 'guarded');
    const swap = (observers: Observer[]) => observers.map((o) => (o.stage === stage ? broken(stage, phase) : o));

    const code = await runWrapped(settings, parseJobName('--name', 'guarded'), ['sh', '-c', 'echo out; echo err >&2; exit 3'], io, [], (parts) => swap(observersFor(parts)));

    expect(code).toBe(3);
    const said = io.err().split('\n').filter((line) => line.startsWith(`cronwrap: ${stage}: `));
    expect(said).toEqual([expect.stringMatching(new RegExp(`^cronwrap: ${stage}: internal error \\(a bug in cronwrap.*TypeError: ${stage} broke`))]);
    const log = parseLog(box.logOf('guarded'));
    expect(reassemble(log.records, 'out').toString()).toBe('out\n');
    expect(reassemble(log.records, 'err').toString()).toBe('err\n');
    expect(footer(log)).toMatchObject({ exit: '3', status: 'failed with exit status 3', [`${stage}_problem`]: expect.stringMatching(/internal error/) });

    if (stage === 'alerts') {
      expect(hook.requests).toHaveLength(0);
      // Without a word from the alerts, the stdout report (cron's mail) tells a person instead.
      expect(io.out()).toMatch(/^cronwrap: job guarded FAILED/);
    } else {
      expect(hook.requests.map((r) => JSON.parse(r.body).exit)).toEqual([3]);
      expect(footer(log).notifications).toMatch(/^webhook http:\/\/127\.0\.0\.1:\d+\/… failure: ok$/);
      expect(io.out()).toBe('');
    }
    if (stage !== 'metrics') expect(readFileSync(join(metricsDir, 'cronwrap_guarded.prom'), 'utf8')).toMatch(/^cronwrap_last_exit_code\{cron_job="guarded"\} 3$/m);
    if (stage !== 'history') {
      expect(readHistory(box.stateDir, 'guarded')).toMatchObject([{ exit: 3, problems: [expect.stringMatching(new RegExp(`^${stage}: internal error`))] }]);
    }
  });

  it('a failure the observer expects (history in a directory it cannot make) is a problem in words, not a bug', async () => {
    const box = sandbox();
    writeFileSync(join(box.dir, 'a-file'), '');
    const stateDir = join(box.dir, 'a-file', 'state');
    const io = memoryIo({ ...box.env, CRONWRAP_STATE_DIR: stateDir });
    expect(await main(['--name', 'nohistory', '--', 'true'], io)).toBe(0);
    expect(io.err()).toBe(`cronwrap: history: cannot record the run in ${stateDir}: ENOTDIR\n`);
    expect(footer(parseLog(box.logOf('nohistory')))).toMatchObject({ exit: '0', history_problem: expect.stringMatching(/cannot record the run/) });
  });
});

describe('what observers hear while the job runs', () => {
  it('no observer is called per read: the output goes from the pipes to the recorder only', async () => {
    const box = sandbox();
    const io = memoryIo(box.env);
    const { settings } = resolveSettings({}, io.env, 'quietpath');
    const heard: string[] = [];
    const listener: Observer = { stage: 'listener', on: (event) => void heard.push(event.type) };
    // Reads apart in time (the pauses), on both streams: each is a read of its own.
    const script = 'for i in 1 2 3; do echo out $i; echo err $i >&2; sleep 0.05; done';

    const code = await runWrapped(settings, parseJobName('--name', 'quietpath'), ['sh', '-c', script], io, [], (parts) => [...observersFor(parts), listener]);

    expect(code).toBe(0);
    expect(heard).toEqual(['start', 'ready']);
    const log = parseLog(box.logOf('quietpath'));
    expect(reassemble(log.records, 'out').toString()).toBe('out 1\nout 2\nout 3\n');
    expect(reassemble(log.records, 'err').toString()).toBe('err 1\nerr 2\nerr 3\n');
  });
});

describe('what observers are handed at the end', () => {
  it('the duration check is a step of the run: its warning is in the summary that the first observer is handed', async () => {
    const box = sandbox();
    const io = memoryIo(box.env);
    const { settings } = resolveSettings({ expectDuration: '1m..' }, io.env, 'quick');
    const handed: (string | undefined)[] = [];
    const first: Observer = { stage: 'first', end: ({ summary }) => void handed.push(summary.durationWarning) };

    expect(await runWrapped(settings, parseJobName('--name', 'quick'), ['true'], io, [], (parts) => [first, ...observersFor(parts)])).toBe(0);

    expect(handed).toEqual([expect.stringMatching(/^ran \d+ms, less than the 1m00s expected \(--expect-duration\)$/)]);
    expect(footer(parseLog(box.logOf('quick'))).duration_warning).toBe(handed[0]);
    expect(readHistory(box.stateDir, 'quick')).toMatchObject([{ duration_warning: handed[0] }]);
  });
});

describe('main in-process', () => {
  it('runs a job and a subcommand with an Io of its own, returning the exit status', async () => {
    const box = sandbox();
    const io = memoryIo(box.env);
    expect(await main(['--name', 'inproc', '--', 'sh', '-c', 'echo hi; exit 2'], io)).toBe(2);
    expect(io.out()).toMatch(/^cronwrap: job inproc FAILED on [\s\S]*  \S+ out\| hi\n$/);
    const status = memoryIo(box.env);
    expect(await main(['status'], status)).toBe(1);
    expect(status.out()).toMatch(/^inproc +\S+ +exit 2 /m);
    const usage = memoryIo(box.env);
    expect(await main(['--timeout', 'soon', '--', 'true'], usage)).toBe(125);
    expect(usage.err()).toMatch(/^cronwrap: --timeout: 'soon' is not a duration/);
  });
});
