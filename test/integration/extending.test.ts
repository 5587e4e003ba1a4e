// Issue 25: a subcommand is one file and its line in the list; an alert channel is one file, its line in the list
// of channels and its row in the option table (src/README.md, "Recipes"). A copy of the project gets the two
// fixtures of test/fixtures/extension/ and those lines, nothing else (typechecked, layer-checked, built once),
// and shows each everywhere its list reaches: --help, the man page, the completion, and real runs.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { completions } from '../helpers/completion.js';
import { FIXTURES, sandbox, type Sandbox } from '../helpers/cronwrap.js';
import { extendedTree, type ExtendedTree } from '../helpers/extended-tree.js';
import { startHttp } from '../helpers/servers.js';

let tree: ExtendedTree;
let texts: { manPage: string; completion: string };

beforeAll(async () => {
  const fixture = (name: string) => readFileSync(join(FIXTURES, 'extension', name), 'utf8');
  tree = extendedTree({ 'src/commands/hello.ts': fixture('hello.ts'), 'src/notify/ntfy-channel.ts': fixture('ntfy-channel.ts') }, [
    { file: 'src/commands/index.ts', after: "import { tail } from './tail.js';", text: "import { hello } from './hello.js';" },
    { file: 'src/commands/index.ts', after: '  flush,', text: '  hello,' },
    { file: 'src/notify/alert-channels.ts', after: "import { webhook } from './webhook-channel.js';", text: "import { ntfy } from './ntfy-channel.js';" },
    { file: 'src/notify/alert-channels.ts', after: '  webhook,', text: '  ntfy,' },
    {
      file: 'src/config/options.ts',
      after: '  webhookFormat: { key:',
      text: "  notifyUrl: { key: 'notifyUrl', alert: 'enables', flags: '--notify-url <url>', env: 'CRONWRAP_NOTIFY_URL', help: \"POST the alert's subject as text to URL (an ntfy topic)\", type: httpUrl, defaultValue: undefined },",
    },
  ]);
  texts = await packageTexts(tree.dir);
}, 240_000);

afterAll(() => tree?.remove());

/** The copy's man page and completion, as scripts/package-deb.mjs makes them (bundled from src/package/). */
async function packageTexts(dir: string): Promise<{ manPage: string; completion: string }> {
  const outfile = join(dir, 'package-texts.cjs');
  await build({ entryPoints: [join(dir, 'src/package/index.ts')], bundle: true, platform: 'node', format: 'cjs', outfile, logLevel: 'error' });
  const script = `const p = require(${JSON.stringify(outfile)}); process.stdout.write(JSON.stringify({ manPage: p.manPage('0.0.0', '2026-01-01'), completion: p.bashCompletion() }));`;
  return JSON.parse(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' })) as { manPage: string; completion: string };
}

/** What the copy's bash completion completes for the words of each line. */
function completed(box: Sandbox, ...lines: string[]): string[][] {
  return completions(texts.completion, box.dir, box.stateDir, lines);
}

/** The copy's bin/cronwrap, run as the tests run the project's. */
async function run(args: readonly string[], box: Sandbox) {
  const done = await execa(tree.bin, args, { reject: false, stdin: 'ignore', extendEnv: false, env: box.env });
  return { exitCode: done.exitCode, stdout: done.stdout, stderr: done.stderr };
}

describe('adding a subcommand', () => {
  it('is one file in src/commands/ and its line in the list: it is in --help, the man page, the completion, and runs', async () => {
    const box = sandbox();
    // The top-level help's Commands list, from the descriptor's summary, and its own --help.
    expect((await run(['--help'], box)).stdout).toContain('  cronwrap hello <job> [--greeting TEXT]    greet a job; say whether it ran here\n');
    const own = await run(['hello', '--help'], box);
    expect(own.exitCode).toBe(0);
    expect(own.stdout).toMatch(/^Usage: cronwrap hello \[options\] <job>\n\nGreet a job by name/);
    expect(own.stdout).toMatch(/--greeting <text> +what to say first \(default: "hello"\)/);
    expect(own.stdout).toMatch(/--state-dir <dir>/); // the option table's rows it takes

    // The man page: its line and a section with its own help.
    expect(texts.manPage).toContain('.SS hello\n.nf\nUsage: cronwrap hello [options] <job>');
    expect(texts.manPage).toContain('cronwrap hello <job> [\\-\\-greeting TEXT]');

    // The completion: its name, the jobs with a history here for its <job>, its own flags.
    mkdirSync(join(box.stateDir, 'history'), { recursive: true });
    writeFileSync(join(box.stateDir, 'history', 'nightly-report.jsonl'), '');
    expect(completed(box, 'cronwrap hel', 'cronwrap hello nigh', 'cronwrap hello nightly-report --gr')).toEqual([['hello'], ['nightly-report'], ['--greeting']]);

    // A run: its values, the settings it takes (--state-dir) and the state directory it reads.
    const before = await run(['hello', 'backup', '--greeting', 'hi'], box);
    expect([before.exitCode, before.stdout, before.stderr]).toEqual([3, 'hi backup: no run here yet', '']);
    expect((await run(['--name', 'backup', '--', 'true'], box)).exitCode).toBe(0);
    const after = await run(['hello', 'backup'], box);
    expect([after.exitCode, after.stdout, after.stderr]).toEqual([0, 'hello backup: it ran here', '']);
    // The mistyped-subcommand check knows it too.
    const typo = await run(['helo'], box);
    expect([typo.exitCode, typo.stderr]).toEqual([125, expect.stringContaining('did you mean cronwrap hello?')]);
  });
});

describe('adding an alert channel', () => {
  it("is one file, its line in the list and its row in the option table: in --help, the man page and the completion; it sends a failing run's alert, keeps it when refused, and flush sends it when the server is back", async () => {
    const box = sandbox();
    expect((await run(['--help'], box)).stdout).toContain('--notify-url <url>');
    expect(texts.manPage).toContain('\\fB\\-\\-notify\\-url\\fR \\fIurl\\fR');
    expect(completed(box, 'cronwrap --notify-u')).toEqual([['--notify-url']]);

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
