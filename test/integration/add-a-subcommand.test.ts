// Issue 25: a subcommand is one file and its line in the list (src/README.md, "How to add a subcommand").
// A copy of the project gets test/fixtures/extension/hello.ts and that line, nothing else, and shows the
// subcommand everywhere the list reaches: --help, its own --help, the man page, the completion, a run.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { FIXTURES, sandbox } from '../helpers/cronwrap.js';
import { extendedTree } from '../helpers/extended-tree.js';

/** The copy's man page and completion, as scripts/package-deb.mjs makes them (from src/package/). */
async function packageTexts(dir: string): Promise<{ manPage: string; completion: string }> {
  const outfile = join(dir, 'package-texts.cjs');
  await build({ entryPoints: [join(dir, 'src/package/index.ts')], bundle: true, platform: 'node', format: 'cjs', outfile, logLevel: 'error' });
  const script = `const p = require(${JSON.stringify(outfile)}); process.stdout.write(JSON.stringify({ manPage: p.manPage('0.0.0', '2026-01-01'), completion: p.bashCompletion() }));`;
  return JSON.parse(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' })) as { manPage: string; completion: string };
}

/** What bash completes for the words of `line` (the last one being completed), with `env`. */
function completions(script: string, line: string, env: Record<string, string>): string[] {
  const bash = `source ${JSON.stringify(script)}; COMP_WORDS=(${line}); COMP_CWORD=$((\${#COMP_WORDS[@]} - 1)); _cronwrap; printf '%s\\n' "\${COMPREPLY[@]}"`;
  return spawnSync('bash', ['-c', bash], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env } }).stdout.trim().split('\n');
}

describe('adding a subcommand', () => {
  it('is one file in src/commands/ and its line in the list: it is in --help, the man page, the completion, and runs', { timeout: 240_000 }, async () => {
    const tree = extendedTree({ 'src/commands/hello.ts': readFileSync(join(FIXTURES, 'extension/hello.ts'), 'utf8') }, [
      { file: 'src/commands/index.ts', after: "import { tail } from './tail.js';", text: "import { hello } from './hello.js';" },
      { file: 'src/commands/index.ts', after: '  flush,', text: '  hello,' },
    ]);
    const box = sandbox();
    const run = (args: string[]) => execa(tree.bin, args, { env: box.env, extendEnv: false, reject: false });

    // The top-level help's Commands list, from the descriptor's summary, and its own --help.
    const help = await run(['--help']);
    expect(help.stdout).toContain('  cronwrap hello <job> [--greeting TEXT]    greet a job; say whether it ran here\n');
    const own = await run(['hello', '--help']);
    expect(own.exitCode).toBe(0);
    expect(own.stdout).toMatch(/^Usage: cronwrap hello \[options\] <job>\n\nGreet a job by name/);
    expect(own.stdout).toMatch(/--greeting <text> +what to say first \(default: "hello"\)/);
    expect(own.stdout).toMatch(/--state-dir <dir>/); // the option table's rows it takes

    // The man page: its line and a section with its own help.
    const { manPage, completion } = await packageTexts(tree.dir);
    expect(manPage).toContain('.SS hello\n.nf\nUsage: cronwrap hello [options] <job>');
    expect(manPage).toContain('cronwrap hello <job> [\\-\\-greeting TEXT]');

    // The completion: its name, and the jobs with a history here for its <job>.
    const script = join(box.dir, 'completion.bash');
    writeFileSync(script, completion);
    mkdirSync(join(box.stateDir, 'history'), { recursive: true });
    writeFileSync(join(box.stateDir, 'history', 'nightly-report.jsonl'), '');
    const env = { CRONWRAP_STATE_DIR: box.stateDir };
    expect(completions(script, 'cronwrap hel', env)).toEqual(['hello']);
    expect(completions(script, 'cronwrap hello nigh', env)).toEqual(['nightly-report']);

    // A run: its values, the settings it takes (--state-dir) and the state directory it reads.
    const before = await run(['hello', 'backup', '--greeting', 'hi']);
    expect([before.exitCode, before.stdout, before.stderr]).toEqual([3, 'hi backup: no run here yet', '']);
    expect((await run(['--name', 'backup', '--', 'true'])).exitCode).toBe(0);
    const after = await run(['hello', 'backup']);
    expect([after.exitCode, after.stdout, after.stderr]).toEqual([0, 'hello backup: it ran here', '']);
    // The mistyped-subcommand check knows it too.
    const typo = await run(['helo']);
    expect([typo.exitCode, typo.stderr]).toEqual([125, expect.stringContaining('did you mean cronwrap hello?')]);
  });
});
