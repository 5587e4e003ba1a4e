// Contract, "Exit status": any catchable signal other than the stop signals is passed on to the command's
// process group or handled; cronwrap never dies of it, always writes the footer and history, and never opens
// a debugger (issue 22: SIGUSR1 started Node's inspector on 127.0.0.1:9229; QUIT, USR2, ALRM killed cronwrap
// and orphaned the job).
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { constants } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cronwrapProcess, historyOf, sandbox, startCronwrap, waitFor, waitForOutput, type Sandbox } from '../helpers/cronwrap.js';
import { alive, listeningPorts, waitForPid } from '../helpers/processes.js';
import { footer, parseLog } from '../helpers/records.js';
import { startServe } from '../helpers/serve.js';

/** Signals an operator (or `pkill -f`) may send that are meant for the job. */
const MEANT_FOR_THE_JOB = ['SIGQUIT', 'SIGUSR2', 'SIGALRM', 'SIGVTALRM', 'SIGIO', 'SIGPWR', 'SIGSTKFLT'] as const;
/** Signals the kernel raises about cronwrap's own process: handled, never passed on. */
/** ... and Node's debugger signal, held in every build (the single executable blocks it: --disable-sigusr1). */
const CRONWRAPS_OWN = ['SIGXCPU', 'SIGXFSZ', 'SIGTRAP', 'SIGSYS', 'SIGUSR1'] as const;

const number = (signal: NodeJS.Signals) => constants.signals[signal];

/** The `=== signal` records of the job's log, as `signal=… group=…` texts. */
function passedOn(box: Sandbox, job: string): string[] {
  return [...box.logOf(job).toString('utf8').matchAll(/ === signal job=\S+ (signal=\S+ group=\d+)$/gm)].map((match) => match[1]!);
}

/** The job's running marks (`cronwrap check`'s STUCK): none once a run has ended. */
function runningMarks(box: Sandbox, job: string): string[] {
  const dir = join(box.stateDir, 'running');
  return existsSync(dir) ? readdirSync(dir).filter((name) => name.startsWith(`${job}.`)) : [];
}

/** A job that says `ready` once its traps are set, then waits until the test creates the file `go`. */
function waitsForGo(box: Sandbox, traps = ''): { go: () => void; command: string } {
  const go = join(box.dir, 'go');
  return { go: () => writeFileSync(go, ''), command: `${traps} echo ready; while [ ! -e ${go} ]; do sleep 0.05; done; echo done` };
}

describe('signals meant for the job reach its process group while it runs', () => {
  it.each(MEANT_FOR_THE_JOB)('%s: the job gets it, ends as it chooses, and the run is recorded', async (signal) => {
    const box = sandbox();
    const command = `trap 'echo got-${signal}; exit 3' ${number(signal)}; echo ready; while :; do sleep 1; done`;
    const child = startCronwrap(['--name', 'sig', '--metrics-dir', box.dir, '-c', command], box);
    await waitForOutput(box, 'sig', 'out| ready');
    child.kill(signal);
    const result = await child;
    expect(result.exitCode).toBe(3);
    expect(String(result.stderr)).not.toContain('Debugger listening');
    const log = parseLog(box.logOf('sig'));
    expect(box.logOf('sig').toString()).toContain(`out| got-${signal}\n`);
    expect(passedOn(box, 'sig')).toEqual([expect.stringMatching(new RegExp(`^signal=${signal} group=\\d+$`))]);
    expect(footer(log)).toMatchObject({ exit: '3', signal: 'null' });
    expect(historyOf(box.stateDir, 'sig')).toEqual([expect.objectContaining({ exit: 3 })]);
    expect(runningMarks(box, 'sig')).toEqual([]);
    expect(readFileSync(join(box.dir, 'cronwrap_sig.prom'), 'utf8')).toMatch(/^cronwrap_running\{[^}]*\} 0$/m);
  });

  it.each([
    ['SIGUSR2', 140],
    ['SIGQUIT', 131],
    ['SIGALRM', 142],
  ] as const)('a job that dies of %s: footer and history say so, cronwrap exits %i', async (signal, code) => {
    const box = sandbox();
    const pidFile = join(box.dir, 'pid');
    const child = startCronwrap(['--name', 'dies', '-c', `echo $$ > ${pidFile}; echo ready; exec sleep 60`], box);
    const job = await waitForPid(pidFile);
    await waitForOutput(box, 'dies', 'out| ready');
    child.kill(signal);
    const result = await child;
    expect(result.exitCode).toBe(code);
    expect(alive(job)).toBe(false);
    expect(footer(parseLog(box.logOf('dies')))).toMatchObject({ exit: String(code), signal });
    expect(historyOf(box.stateDir, 'dies')).toEqual([expect.objectContaining({ exit: code, signal })]);
    expect(runningMarks(box, 'dies')).toEqual([]);
  });

  it('reaches the whole process group, background processes included', async () => {
    const box = sandbox();
    const pidFile = join(box.dir, 'background');
    // The shell ends only once its background process has ended, and says how: 128 + 12 is SIGUSR2's own.
    const child = startCronwrap(['--name', 'tree', '-c', `sleep 60 & echo $! > ${pidFile}; trap 'echo got-usr2' USR2; echo ready; wait; wait $!; echo "background=$?"`], box);
    const background = await waitForPid(pidFile);
    await waitForOutput(box, 'tree', 'out| ready');
    child.kill('SIGUSR2');
    expect((await child).exitCode).toBe(0);
    expect(alive(background)).toBe(false);
    // (dash may tell the background's death on stderr between the two lines)
    const log = box.logOf('tree').toString();
    expect(log).toContain('out| got-usr2\n');
    expect(log).toContain('out| background=140\n');
    expect(footer(parseLog(box.logOf('tree')))).not.toHaveProperty('left_behind');
  });

  it('a job that ignores the signal runs on to its own end', async () => {
    const box = sandbox();
    const job = waitsForGo(box, "trap '' USR2;");
    const child = startCronwrap(['--name', 'deaf', '-c', job.command], box);
    await waitForOutput(box, 'deaf', 'out| ready');
    child.kill('SIGUSR2');
    await waitForOutput(box, 'deaf', '=== signal');
    job.go();
    const result = await child;
    expect(result.exitCode).toBe(0);
    expect(box.logOf('deaf').toString()).toMatch(/out\| ready\n.* === signal job=deaf signal=SIGUSR2 group=\d+\n.*out\| done\n/);
    expect(footer(parseLog(box.logOf('deaf')))).toMatchObject({ exit: '0', signal: 'null' });
    expect(historyOf(box.stateDir, 'deaf')).toEqual([expect.objectContaining({ exit: 0 })]);
  });

  it('SIGUSR1 opens no inspector: nothing listens, cronwrap lives on, the job is not disturbed', async () => {
    const box = sandbox();
    const job = waitsForGo(box, "trap 'echo got-usr1' USR1; trap 'echo got-usr2' USR2;");
    const child = startCronwrap(['--name', 'usr1', '-c', job.command], box);
    await waitForOutput(box, 'usr1', 'out| ready');
    child.kill('SIGUSR1');
    // A signal passed on after it shows the first was taken by then (the lower number is delivered first).
    child.kill('SIGUSR2');
    await waitForOutput(box, 'usr1', 'out| got-usr2');
    expect(alive(child.pid!)).toBe(true);
    expect(listeningPorts(child.pid!)).toEqual([]);
    job.go();
    const result = await child;
    expect(result.exitCode).toBe(0);
    expect(String(result.stderr)).not.toMatch(/Debugger listening|inspector/i);
    expect(passedOn(box, 'usr1')).toEqual([expect.stringMatching(/^signal=SIGUSR2 group=\d+$/)]);
    // On stdout (the group's sleep dies of the SIGUSR2, and sh says so on stderr): no got-usr1.
    expect(parseLog(box.logOf('usr1')).records.filter((r) => r.stream === 'out').map((r) => r.text.toString())).toEqual(['ready', 'got-usr2', 'done']);
  });

  it("signals of the kernel's about cronwrap itself, and SIGUSR1, are handled, not passed on", async () => {
    const box = sandbox();
    // The job would die of any of them (their default action): it ends with 0 only if none reached it.
    const job = waitsForGo(box);
    const child = startCronwrap(['--name', 'own', '-c', job.command], box);
    await waitForOutput(box, 'own', 'out| ready');
    for (const signal of CRONWRAPS_OWN) child.kill(signal);
    job.go();
    const result = await child;
    expect(result.exitCode).toBe(0);
    expect(passedOn(box, 'own')).toEqual([]);
    expect(footer(parseLog(box.logOf('own')))).toMatchObject({ exit: '0' });
  });
});

describe('with no job running, cronwrap ignores them', () => {
  it('between attempts: the run goes on until stopped, then is recorded', async () => {
    const box = sandbox();
    const child = startCronwrap(['--name', 'between', '--retries', '1', '--retry-delay', '1h', '-c', 'echo ready; exit 1'], box);
    await waitForOutput(box, 'between', '=== retry');
    for (const signal of [...MEANT_FOR_THE_JOB, ...CRONWRAPS_OWN]) child.kill(signal);
    // The stop signal comes after every other one: cronwrap was alive to take it only if it survived them.
    child.kill('SIGTERM');
    const result = await child;
    expect(result.exitCode).toBe(143);
    expect(passedOn(box, 'between')).toEqual([]);
    expect(footer(parseLog(box.logOf('between')))).toMatchObject({ exit: '143', status: expect.stringContaining('cronwrap got SIGTERM') });
    expect(historyOf(box.stateDir, 'between')).toEqual([expect.objectContaining({ exit: 143 })]);
  });

  it('filter mode annotates on through them', async () => {
    const box = sandbox();
    const child = cronwrapProcess(['--name', 'filter'], box, { stdin: 'pipe' });
    child.stdin!.write('ready\n');
    await waitFor(() => child.stdoutText().includes('out| ready\n'));
    for (const signal of [...MEANT_FOR_THE_JOB, ...CRONWRAPS_OWN]) child.kill(signal);
    // Written after the signals were sent: cronwrap reads it only after it has taken them.
    child.stdin!.end('after\n');
    const result = await child;
    expect(result.exitCode).toBe(0);
    expect(child.stdoutText()).toMatch(/out\| ready\n.*out\| after\n/s);
    expect(String(result.stderr)).toBe('');
  });

  it('cronwrap serve keeps answering, with no inspector', async () => {
    const box = sandbox();
    const { child, url } = await startServe(box);
    const port = Number(new URL(url).port);
    for (const signal of [...MEANT_FOR_THE_JOB, ...CRONWRAPS_OWN]) child.kill(signal);
    // Asked after the signals were sent: the server answers only if it has taken them and lived.
    expect((await fetch(`${url}/api/jobs`)).status).toBe(200);
    expect(listeningPorts(child.pid!)).toEqual([port]);
    child.kill('SIGTERM');
    const result = await child;
    expect(String(result.stderr)).not.toMatch(/Debugger listening|inspector/i);
  });
});
