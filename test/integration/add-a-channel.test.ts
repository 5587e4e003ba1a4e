import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { beforeAll, describe, expect, it } from 'vitest';
import { FIXTURES, sandbox, type Sandbox } from '../helpers/cronwrap.js';
import { extendedTree, type ExtendedTree } from '../helpers/extended-tree.js';
import { startHttp } from '../helpers/servers.js';

// Issue 25: a new alert channel was six files to touch. Now it is its own file, its line in the list of
// channels and its row in the option table: this test adds one (an ntfy-like --notify-url) to a copy of
// the project and finds it everywhere a channel shows, and working as one.
let tree: ExtendedTree;

beforeAll(() => {
  tree = extendedTree({ 'src/notify/ntfy-channel.ts': readFileSync(join(FIXTURES, 'extension/ntfy-channel.ts'), 'utf8') }, [
    { file: 'src/notify/alert-channels.ts', after: "import { webhook } from './webhook-channel.js';", text: "import { ntfy } from './ntfy-channel.js';" },
    { file: 'src/notify/alert-channels.ts', after: '  webhook,', text: '  ntfy,' },
    {
      file: 'src/config/options.ts',
      after: '  webhookFormat: { key:',
      text: "  notifyUrl: { key: 'notifyUrl', alert: 'enables', flags: '--notify-url <url>', env: 'CRONWRAP_NOTIFY_URL', help: \"POST the alert's subject as text to URL (an ntfy topic)\", type: httpUrl, defaultValue: undefined },",
    },
  ]);
}, 180_000);

/** The copy's bin/cronwrap, run as the tests run the project's. */
async function run(args: readonly string[], box: Sandbox) {
  const done = await execa(tree.bin, args, { reject: false, stdin: 'ignore', extendEnv: false, env: box.env });
  return { exitCode: done.exitCode, stdout: done.stdout, stderr: done.stderr };
}

// One test: the copy is a temporary directory, removed after the test that first uses it (helpers/cronwrap.ts).
describe('a channel added as src/README.md says', () => {
  it("is in --help, the man page and the completion; it sends a failing run's alert, keeps it when refused, and flush sends it when the server is back", async () => {
    const box = sandbox();
    expect((await run(['--help'], box)).stdout).toContain('--notify-url <url>');
    const man = (await import(join(tree.dir, 'src/package/man-page.ts'))) as typeof import('../../src/package/man-page.js');
    expect(man.manPage('0.0.0', '2026-12-03')).toMatch(/notify\\?-url/);
    const completion = (await import(join(tree.dir, 'src/package/completion.ts'))) as typeof import('../../src/package/completion.js');
    expect(completion.bashCompletion()).toContain('--notify-url');

    let up = true;
    const server = await startHttp((_request, res) => {
      if (up) res.end('ok');
      else res.writeHead(503, { 'retry-after': '120' }).end('down');
    });
    const url = `${server.url}/cron-alerts`;

    const failed = await run(['--name', 'nightly', '--notify-url', url, '--', 'sh', '-c', 'exit 3'], box);
    expect(failed.exitCode).toBe(3);
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]).toMatchObject({ method: 'POST', url: '/cron-alerts' });
    expect(server.requests[0]!.body).toMatch(/^\[cronwrap\] .*nightly/);
    expect(server.requests[0]!.body).toContain('FAILED');

    up = false;
    // Another job: the alert policy tells a job's failing streak once.
    const refused = await run(['--name', 'weekly', '--notify-url', url, '--', 'sh', '-c', 'exit 4'], box);
    expect(refused.exitCode).toBe(4);
    expect(server.requests).toHaveLength(2);
    expect(readdirSync(join(box.stateDir, 'spool', 'ntfy'))).toHaveLength(1);

    up = true;
    const flushed = await run(['flush', '--notify-url', url], box);
    expect(flushed.stdout).toContain('ntfy topic');
    expect(flushed.exitCode).toBe(0);
    expect(server.requests).toHaveLength(3);
    expect(server.requests[2]!.body).toBe(server.requests[1]!.body);
    expect(readdirSync(join(box.stateDir, 'spool', 'ntfy'))).toHaveLength(0);
  });
});
