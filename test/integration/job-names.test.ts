import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { BIN, cronwrap, sandbox, type Sandbox } from '../helpers/cronwrap.js';
import { startServe } from '../helpers/serve.js';

// Issue 23, item 7: a job name from a crontab becomes part of a path only after the check `--name` gets. A
// user's lines aim at files beside root's state directory (`<state>/alerts/../../victim.json`) and at a
// directory to be made, and one carries a terminal escape; root's check, jobs, serve and status read them.
const ESC = '\u001b';
const HOSTILE = [
  '* * * * * /usr/bin/cronwrap --name ../../victim -- true',
  '* * * * * /usr/bin/cronwrap --name=../../daemon -- true',
  "* * * * * /usr/bin/cronwrap -n '../../made/x' -- true",
  `* * * * * /usr/bin/cronwrap --name '${ESC}[2Jwiped' -- true`,
].join('\n');

const has = (tool: string) => spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0;
const asRoot = process.getuid?.() === 0 && ['unshare', 'setpriv', 'crontab'].every(has);
/** Runs `command` with `dir` bound over the host's users' crontabs, in a mount namespace of its own. */
const withSpool = (dir: string) => ['unshare', '--mount', '--propagation', 'private', 'sh', '-c', 'mount --bind "$0" /var/spool/cron/crontabs && exec "$@"', dir];

/**
 * A sandbox whose cron tree holds user nobody's crontab: installed by nobody through crontab(1) when this
 * runs as root (into the tree, bound over the spool), else written in its place. Beside the state directory:
 * a file that is not JSON and a JSON file, which a traversal would move aside or replace.
 */
function hostileHost(): { box: Sandbox; root: string; spool: string } {
  const box = sandbox();
  const root = join(box.dir, 'root');
  const spool = join(root, 'var', 'spool', 'cron', 'crontabs');
  mkdirSync(spool, { recursive: true });
  if (asRoot) {
    chownSync(spool, 0, Number(spawnSync('getent', ['group', 'crontab'], { encoding: 'utf8' }).stdout.split(':')[2]));
    chmodSync(spool, 0o1730);
    const [command, ...args] = [...withSpool(spool), 'setpriv', '--reuid=nobody', '--regid=nogroup', '--clear-groups', 'crontab', '-'];
    const installed = spawnSync(command!, args, { input: `${HOSTILE}\n`, encoding: 'utf8' });
    expect(installed.status, installed.stderr).toBe(0);
  } else {
    writeFileSync(join(spool, 'nobody'), `${HOSTILE}\n`);
  }
  writeFileSync(join(box.dir, 'victim.json'), 'not json\n', { mode: 0o644 });
  writeFileSync(join(box.dir, 'daemon.json'), '{"debug": true}\n', { mode: 0o644 });
  return { box, root, spool };
}

/** Every path in the sandbox outside the state and log directories, with its mode and content. */
function outside(box: Sandbox): string[] {
  const walk = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
      const path = join(dir, entry.name);
      if (path === box.stateDir || path === box.logDir) return [];
      const described = `${relative(box.dir, path)} ${statSync(path).mode.toString(8)}`;
      return entry.isDirectory() ? [described, ...walk(path)] : [`${described} ${readFileSync(path, 'utf8')}`];
    });
  return walk(box.dir).sort();
}

/** What root is told of each line: the name as written, escapes shown, not acted on. */
const REFUSED = [
  /\/var\/spool\/cron\/crontabs\/nobody:\d+: cronwrap refuses --name '\.\.\/\.\.\/victim' .*: this line never runs its job/,
  /\/var\/spool\/cron\/crontabs\/nobody:\d+: cronwrap refuses --name '\.\.\/\.\.\/daemon'/,
  /\/var\/spool\/cron\/crontabs\/nobody:\d+: cronwrap refuses --name '\.\.\/\.\.\/made\/x'/,
  /\/var\/spool\/cron\/crontabs\/nobody:\d+: cronwrap refuses --name '\\x1b\[2Jwiped'/,
];

function expectRefusedIn(text: string): void {
  for (const line of REFUSED) expect(text).toMatch(line);
  expect(text).not.toContain(ESC);
}

/** The built binary two days on: every line's start has passed with no run, so check would tell each. */
function twoDaysOn(args: readonly string[], box: Sandbox, prefix: readonly string[] = []) {
  const [command, ...rest] = [...prefix, 'faketime', '-f', '+2d', BIN, ...args];
  return execa(command!, rest, { env: { ...box.env, FAKETIME_DONT_FAKE_MONOTONIC: '1' }, extendEnv: false, reject: false });
}

const withFaketime = has('faketime') || process.env.CI ? describe : describe.skip;

withFaketime("a user's crontab names jobs outside root's state directory (needs faketime)", () => {
  it('check tells the lines (with --json, at a terminal) and touches nothing outside the state directory; under cron it stays quiet about them', async () => {
    const { box, root } = hostileHost();
    const before = outside(box);
    const json = await twoDaysOn(['check', '--root', root, '--json'], box);
    expect(JSON.parse(json.stdout)).toEqual([]);
    expectRefusedIn(json.stderr);
    const underCron = await twoDaysOn(['check', '--root', root], box);
    expect([underCron.exitCode, underCron.stdout, underCron.stderr]).toEqual([0, '', '']);
    expect(outside(box)).toEqual(before);
  });

  it('jobs flags each line (cronwrap refuses it when cron runs it), tells why, exits 1, and touches nothing outside the state directory', async () => {
    const { box, root } = hostileHost();
    const before = outside(box);
    const listed = await twoDaysOn(['jobs', '--root', root, '--json'], box);
    expect(listed.exitCode).toBe(1);
    const found = JSON.parse(listed.stdout) as { jobs: { cronwrap: string | null; flags: string[] }[]; problems: string[] };
    expect(found.jobs.map((job) => [job.cronwrap, job.flags[0]])).toEqual(Array(4).fill([null, 'cronwrap refuses its --name: it never runs']));
    expectRefusedIn(found.problems.join('\n'));
    expect(outside(box)).toEqual(before);
    // As flagged: cron runs the line, cronwrap refuses the name before it runs anything.
    const run = await cronwrap(['--name', '../../victim', '--', 'true'], box);
    expect(run.exitCode).toBe(125);
    expect(run.stderr.toString()).toMatch(/cannot be a job name/);
  });

  it('the live view lists none of them, tells each once on stderr, and touches nothing outside the state directory', async () => {
    const { box, root } = hostileHost();
    const before = outside(box);
    const server = await startServe(box, ['--listen', '127.0.0.1:0', '--root', root]);
    for (let i = 0; i < 2; i++) {
      const response = await fetch(`${server.url}/api/jobs`);
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual([]);
    }
    server.child.kill('SIGTERM');
    const stderr = Buffer.from((await server.child).stderr as Uint8Array).toString();
    expectRefusedIn(stderr);
    expect(stderr.match(/victim/g)).toHaveLength(1);
    expect(outside(box)).toEqual(before);
  });

  (asRoot ? it : it.skip)("status (reading the host's crontabs, here nobody's installed with crontab(1)) tells them and touches nothing outside", async () => {
    const { box, spool } = hostileHost();
    expect(statSync(join(spool, 'nobody')).uid).toBe(65534);
    expect((await cronwrap(['--name', 'fine', '--', 'true'], box)).exitCode).toBe(0);
    const before = outside(box);
    const status = await twoDaysOn(['status', '--json'], box, withSpool(spool));
    expect(JSON.parse(status.stdout)).toMatchObject([{ job: 'fine', missed: null }]);
    expect(status.exitCode).toBe(0);
    expectRefusedIn(status.stderr);
    expect(outside(box)).toEqual(before);
  });
});
