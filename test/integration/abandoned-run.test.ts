import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cronwrap, historyOf, sandbox, startCronwrap, waitFor, waitForOutput, type Sandbox } from '../helpers/cronwrap.js';
import { groupMembers } from '../helpers/processes.js';
import { footer, parseLog } from '../helpers/records.js';

const JOB = ['--name', 'j', '--'];

function marks(box: Sandbox): string[] {
  const dir = join(box.stateDir, 'running');
  return existsSync(dir) ? readdirSync(dir) : [];
}

/** The fields of the job's last `=== start` record. */
function lastStart(box: Sandbox): Record<string, string> {
  const start = parseLog(box.logOf('j')).meta.findLast((m) => m.event === 'start');
  if (!start) throw new Error('no start record');
  return start.fields;
}

/**
 * A run of `j` whose cronwrap is SIGKILLed (as the OOM killer does) once its job printed `ready`; its job
 * (a process group of its own) is killed after it, so nothing is left. Resolves to the lost run's run id and cronwrap pid.
 */
async function killedRun(box: Sandbox, metricsDir: string): Promise<{ run: string; pid: number }> {
  const run = startCronwrap(['--metrics-dir', metricsDir, ...JOB, 'sh', '-c', 'echo ready $$; exec sleep 1000'], box);
  await waitForOutput(box, 'j', 'out| ready ');
  const group = Number(/out\| ready (\d+)/.exec(box.logOf('j').toString())![1]);
  const { run: id, pid } = lastStart(box);
  run.kill('SIGKILL');
  await run;
  process.kill(-group, 'SIGKILL');
  await waitFor(() => groupMembers(group).length === 0);
  return { run: id!, pid: Number(pid) };
}

describe('a run whose cronwrap was killed (SIGKILL, the OOM killer)', () => {
  it('is reported once by the next run of its job: in its footer, its history record and in status; check does not drop it', async () => {
    const box = sandbox();
    const metricsDir = join(box.dir, 'metrics');
    const lost = await killedRun(box, metricsDir);
    expect(marks(box)).toEqual([`j.${lost.run}.json`]);
    const metrics = join(metricsDir, 'cronwrap_j.prom');
    expect(readFileSync(metrics, 'utf8')).toMatch(/^cronwrap_running\{cron_job="j"\} 1$/m);
    // cronwrap check (every few minutes under cron) reads the marks too: it must leave the dead one for the job.
    await cronwrap(['check', '--root', box.dir], box);
    expect(marks(box)).toEqual([`j.${lost.run}.json`]);

    expect((await cronwrap(['--metrics-dir', metricsDir, ...JOB, 'true'], box)).exitCode).toBe(0);

    const second = lastStart(box).run;
    expect(footer(parseLog(box.logOf('j')))).toMatchObject({
      run: second,
      exit: '0',
      never_ended: expect.stringMatching(new RegExp(`^run ${lost.run} started \\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z \\(cronwrap pid ${lost.pid}\\) never ended: its cronwrap was killed or the host went down$`)),
    });
    const [record, ...others] = historyOf(box.stateDir, 'j');
    expect(others).toEqual([]);
    expect(record).toMatchObject({ run: second, exit: 0, verdict: 'ok', never_ended: [{ run: lost.run, start: expect.stringMatching(/^\d{4}-/), pid: lost.pid }] });
    const lostStart = (record!.never_ended as { start: string }[])[0]!.start;
    expect(marks(box)).toEqual([]);
    expect(readFileSync(metrics, 'utf8')).toMatch(/^cronwrap_running\{cron_job="j"\} 0$/m);

    const status = await cronwrap(['status'], box);
    expect(status.stdout.toString()).toContain(`\nj: run ${lost.run} started ${lostStart} (cronwrap pid ${lost.pid}) never ended: its cronwrap was killed or the host went down\n`);
    const json = JSON.parse((await cronwrap(['status', '--json'], box)).stdout.toString()) as Record<string, unknown>[];
    expect(json).toMatchObject([{ job: 'j', last_result: 'ok', last_never_ended: { run: lost.run, start: lostStart, pid: lost.pid } }]);

    // Reported once: the run after says nothing of it.
    expect((await cronwrap([...JOB, 'true'], box)).exitCode).toBe(0);
    expect(footer(parseLog(box.logOf('j')))).not.toHaveProperty('never_ended');
    expect(historyOf(box.stateDir, 'j').at(-1)).not.toHaveProperty('never_ended');
  });

  it('a run of the job still going is not taken for one that never ended', async () => {
    const box = sandbox();
    const stop = join(box.dir, 'stop');
    const going = startCronwrap([...JOB, 'sh', '-c', `echo ready; until [ -e ${stop} ]; do sleep 0.05; done`], box);
    await waitForOutput(box, 'j', 'out| ready');
    const [mark] = marks(box);

    expect((await cronwrap([...JOB, 'true'], box)).exitCode).toBe(0);

    expect(footer(parseLog(box.logOf('j')))).not.toHaveProperty('never_ended');
    expect(marks(box)).toEqual([mark]);
    writeFileSync(stop, '');
    expect((await going).exitCode).toBe(0);
    expect(marks(box)).toEqual([]);
    expect(historyOf(box.stateDir, 'j').filter((record) => 'never_ended' in record)).toEqual([]);
  });
});
