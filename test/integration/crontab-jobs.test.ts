import { spawnSync } from 'node:child_process';
import { mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterEach, describe, expect, it } from 'vitest';
import { BIN, cronwrap, sandbox, waitFor, waitForOutput, type Sandbox } from '../helpers/cronwrap.js';
import { groupMembers } from '../helpers/processes.js';
import { parseLog } from '../helpers/records.js';
import { startServe, type Serving } from '../helpers/serve.js';

// Issue 23, item 1: a job whose schedule only its crontab line gives (no --schedule) is joined with its own
// history by check, status, jobs and the live view, as cron runs it: `*/5` here, each run in its 5 minutes.
const LINE = '*/5 * * * * root /usr/bin/cronwrap --name nightly -- true\n';

/** A cron tree whose one cron.d file runs `nightly` under cronwrap, written an hour ago (before any start it could miss). */
function cronRoot(box: Sandbox): string {
  const root = join(box.dir, 'root');
  mkdirSync(join(root, 'etc', 'cron.d'), { recursive: true });
  const file = join(root, 'etc', 'cron.d', 'nightly');
  writeFileSync(file, LINE);
  const hourAgo = new Date(Date.now() - 3600_000);
  utimesSync(file, hourAgo, hourAgo);
  return root;
}

const has = (tool: string) => spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0;
// CI installs faketime; elsewhere a machine without it skips these tests (vitest lists them as skipped).
const withFaketime = has('faketime') || process.env.CI ? describe : describe.skip;
/** `status` reads the host's own crontabs: root binds the fixture over /etc/cron.d in a mount namespace of its own. */
const asRoot = process.getuid?.() === 0 && has('unshare') ? it : it.skip;

/** The built binary at a fixed UTC time (Debian's faketime; the clock runs on from there, the monotonic clock left alone). */
function at(time: string, args: readonly string[], box: Sandbox, prefix: readonly string[] = []) {
  const [command, ...rest] = [...prefix, 'faketime', '-f', `@${time}`, BIN, ...args];
  return execa(command!, rest, { env: { ...box.env, TZ: 'UTC', FAKETIME_DONT_FAKE_MONOTONIC: '1' }, extendEnv: false, reject: false });
}

withFaketime('a job scheduled by its crontab line alone is joined with its history (needs faketime)', () => {
  /** `nightly` run through cronwrap as cron would, at 10:05:02: the start its line scheduled for 10:05. */
  async function ranAtFive() {
    const box = sandbox();
    const root = cronRoot(box);
    expect((await at('2030-01-07 10:05:02', ['--name', 'nightly', '--', 'true'], box)).exitCode).toBe(0);
    return { box, root };
  }

  it('check: the run that came is its last run, nothing is missed; the next start with no run is', async () => {
    const { box, root } = await ranAtFive();
    const after = await at('2030-01-07 10:08:00', ['check', '--root', root, '--json'], box); // 10:05's minute of grace is over
    expect(JSON.parse(after.stdout)).toEqual([
      { job: 'nightly', schedule: '*/5 * * * *', source: '/etc/cron.d/nightly:1', missed: null, last_run: expect.stringMatching(/^2030-01-07T10:05:0\d\.\d{3}Z$/) },
    ]);
    expect(after.exitCode).toBe(0);
    const late = await at('2030-01-07 10:11:00', ['check', '--root', root, '--json'], box);
    expect(JSON.parse(late.stdout)).toMatchObject([{ job: 'nightly', missed: '2030-01-07T10:10:00.000Z', last_run: expect.stringMatching(/^2030-01-07T10:05/) }]);
    expect(late.exitCode).toBe(1);
  });

  it('check: a run still going, or whose cronwrap was killed, started: its start is not missed', async () => {
    const box = sandbox();
    const root = cronRoot(box);
    const long = at('2030-01-07 10:05:02', ['--name', 'nightly', '--', 'sh', '-c', 'echo ready $$; exec sleep 1000'], box);
    await waitForOutput(box, 'nightly', 'out| ready ');
    const group = Number(/out\| ready (\d+)/.exec(box.logOf('nightly').toString())![1]);
    const stillGoing = await at('2030-01-07 10:08:00', ['check', '--root', root, '--json'], box);
    expect(JSON.parse(stillGoing.stdout)).toMatchObject([{ job: 'nightly', missed: null, last_run: expect.stringMatching(/^2030-01-07T10:05:0\d/) }]);
    // cronwrap's own pid (faketime is its parent), from its start record: killed as the OOM killer does.
    process.kill(Number(parseLog(box.logOf('nightly')).meta.find((m) => m.event === 'start')!.fields.pid), 'SIGKILL');
    await long;
    process.kill(-group, 'SIGKILL');
    await waitFor(() => groupMembers(group).length === 0);
    const killed = await at('2030-01-07 10:08:00', ['check', '--root', root, '--json'], box);
    expect(JSON.parse(killed.stdout)).toMatchObject([{ job: 'nightly', missed: null, last_run: expect.stringMatching(/^2030-01-07T10:05:0\d/) }]);
  });

  it('check and jobs tell the same last run of the line (jobs joined it already; check did not)', async () => {
    const { box, root } = await ranAtFive();
    const listed = await at('2030-01-07 10:08:00', ['jobs', '--root', root, '--json'], box);
    expect(listed.exitCode).toBe(0);
    const [row] = (JSON.parse(listed.stdout) as { jobs: { cronwrap: string; last_run: string; last_result: string }[] }).jobs;
    expect(row).toMatchObject({ cronwrap: 'nightly', last_run: expect.stringMatching(/^2030-01-07T10:05/), last_result: 'ok' });
    const checked = await at('2030-01-07 10:08:00', ['check', '--root', root, '--json'], box);
    expect(JSON.parse(checked.stdout)).toMatchObject([{ job: 'nightly', last_run: row!.last_run }]);
  });

  asRoot('status: not missed, exit 0 (the line in /etc/cron.d, as status reads it)', async () => {
    const { box, root } = await ranAtFive();
    const bind = ['unshare', '--mount', '--propagation', 'private', 'sh', '-c', 'mount --bind "$0" /etc/cron.d && exec "$@"', join(root, 'etc', 'cron.d')];
    const status = await at('2030-01-07 10:08:00', ['status', '--json'], box, bind);
    expect(JSON.parse(status.stdout)).toMatchObject([{ job: 'nightly', schedule: '*/5 * * * *', last_result: 'ok', missed: null }]);
    expect(status.exitCode).toBe(0);
    const late = await at('2030-01-07 10:11:00', ['status', '--json'], box, bind);
    expect(JSON.parse(late.stdout)).toMatchObject([{ job: 'nightly', missed: '2030-01-07T10:10:00.000Z' }]);
    expect(late.exitCode).toBe(1);
  });
});

describe('the live view', () => {
  const serving: Serving[] = [];
  afterEach(async () => {
    for (const server of serving.splice(0)) {
      server.child.kill('SIGTERM');
      await server.child.catch(() => undefined);
    }
  });

  it("a job run a moment ago, scheduled by its crontab line alone, is not painted missed (its line's grace is over for earlier starts)", async () => {
    const box = sandbox();
    const root = cronRoot(box);
    expect((await cronwrap(['--name', 'nightly', '--', 'true'], box)).exitCode).toBe(0);
    const server = await startServe(box, ['--listen', '127.0.0.1:0', '--root', root]);
    serving.push(server);
    const response = await fetch(`${server.url}/api/jobs`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject([{ job: 'nightly', state: 'ok', schedule: '*/5 * * * *', missed: null }]);
  });
});
