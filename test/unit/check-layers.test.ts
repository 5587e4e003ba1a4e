import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/cronwrap.js';

const SCRIPT = resolve(__dirname, '../../scripts/check-layers.mjs');

function tree(files: Record<string, string>): string {
  const root = tempDir();
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

describe('scripts/check-layers.mjs', () => {
  it('passes src/ as it is', () => {
    const check = spawnSync(process.execPath, [SCRIPT], { encoding: 'utf8' });
    expect(check.stdout).toMatch(/every import goes down, no import cycle/);
    expect(check.status).toBe(0);
  });

  it('fails a folder that imports one above it, or one in no layer, naming the file', () => {
    const upward = tree({ 'util/a.ts': "import { b } from '../run/b.js';\n", 'run/b.ts': "import { c } from '../util/c.js';\nexport const b = c;\n", 'util/c.ts': 'export const c = 1;\n' });
    const check = spawnSync(process.execPath, [SCRIPT, upward], { encoding: 'utf8' });
    expect(check.status).toBe(1);
    expect(check.stderr).toMatch(/util\/a\.ts: util \(layer 1\) imports \.\.\/run\/b\.js from run/);
    expect(check.stderr).not.toMatch(/run\/b\.ts/);
    const unknown = tree({ 'gadgets/x.ts': 'export const x = 1;\n' });
    expect(spawnSync(process.execPath, [SCRIPT, unknown], { encoding: 'utf8' }).stderr).toMatch(/src\/gadgets is in no layer/);
  });

  it('lets commands/ and serve/ share the job queries of jobs/, and fails serve/ importing a subcommand of commands/', () => {
    const files = {
      'jobs/job-summary.ts': 'export const summary = 1;\n',
      'serve/job-board.ts': "import { summary } from '../jobs/job-summary.js';\nexport const board = summary;\n",
      'commands/status.ts': "import { summary } from '../jobs/job-summary.js';\nexport const status = summary;\n",
    };
    const shared = spawnSync(process.execPath, [SCRIPT, tree(files)], { encoding: 'utf8' });
    expect(shared.stderr).toBe('');
    expect(shared.status).toBe(0);
    const reachingUp = tree({ ...files, 'serve/server.ts': "import { status } from '../commands/status.js';\nexport const server = status;\n" });
    const check = spawnSync(process.execPath, [SCRIPT, reachingUp], { encoding: 'utf8' });
    expect(check.status).toBe(1);
    expect(check.stderr).toMatch(/serve\/server\.ts: serve \(layer \d+\) imports \.\.\/commands\/status\.js from commands/);
    expect(check.stderr).not.toMatch(/job-board|commands\/status\.ts/);
  });

  it('fails files that import each other round a cycle inside a folder, type-only imports too, naming them', () => {
    const knot = tree({
      'run/summary.ts': "import type { HealReport } from './heal.js';\nexport interface Summary { heal: HealReport }\n",
      'run/heal.ts': "import { attempt } from './attempts.js';\nexport interface HealReport { ran: boolean }\nexport const heal = attempt;\n",
      'run/attempts.ts': "import type { Summary } from './summary.js';\nexport const attempt = (s: Summary) => s;\n",
      'run/wrap.ts': "import { heal } from './heal.js';\nexport const wrap = heal;\n",
      'util/a.ts': "import { b } from './b.js';\nexport const a = b;\n",
      'util/b.ts': "export { a as b } from './a.js';\n",
    });
    const check = spawnSync(process.execPath, [SCRIPT, knot], { encoding: 'utf8' });
    expect(check.status).toBe(1);
    expect(check.stderr).toMatch(/2 problem\(s\)/);
    expect(check.stderr).toContain('import cycle: run/attempts.ts → run/summary.ts → run/heal.ts → run/attempts.ts;');
    expect(check.stderr).toContain('import cycle: util/a.ts → util/b.ts → util/a.ts;');
    // wrap.ts imports the knot but is no part of it.
    expect(check.stderr).not.toMatch(/wrap\.ts/);
    expect(check.stderr).not.toMatch(/a folder imports only folders below it/);
  });

  it('fails a cycle of files across folders, as well as its upward import', () => {
    const across = tree({ 'util/a.ts': "import type { B } from '../state/b.js';\nexport type A = B;\n", 'state/b.ts': "import type { A } from '../util/a.js';\nexport type B = A | 1;\n" });
    const check = spawnSync(process.execPath, [SCRIPT, across], { encoding: 'utf8' });
    expect(check.status).toBe(1);
    expect(check.stderr).toMatch(/util\/a\.ts: util \(layer 1\) imports \.\.\/state\/b\.js from state/);
    expect(check.stderr).toContain('import cycle: state/b.ts → util/a.ts → state/b.ts;');
  });

  it('names every file of a knot larger than the cycle it shows', () => {
    const knot = tree({
      'run/a.ts': "import type { B } from './b.js';\nexport type A = B;\n",
      'run/b.ts': "import type { A } from './a.js';\nimport type { C } from './c.js';\nexport type B = A | C;\n",
      'run/c.ts': "import type { B } from './b.js';\nexport type C = B | 1;\n",
    });
    const check = spawnSync(process.execPath, [SCRIPT, knot], { encoding: 'utf8' });
    expect(check.status).toBe(1);
    expect(check.stderr).toContain('import cycle: run/a.ts → run/b.ts → run/a.ts (3 files in the knot: run/a.ts, run/b.ts, run/c.ts);');
  });

  it('keeps process/ below run/: run/ may use it, it may not use run/', () => {
    const files = { 'process/supervise.ts': 'export const supervise = 1;\n', 'run/attempts.ts': "import { supervise } from '../process/supervise.js';\nexport const attempts = supervise;\n" };
    expect(spawnSync(process.execPath, [SCRIPT, tree(files)], { encoding: 'utf8' }).status).toBe(0);
    const upward = tree({ ...files, 'process/outcome.ts': "import type { attempts } from '../run/attempts.js';\nexport type O = typeof attempts;\n" });
    const check = spawnSync(process.execPath, [SCRIPT, upward], { encoding: 'utf8' });
    expect(check.status).toBe(1);
    expect(check.stderr).toMatch(/process\/outcome\.ts: process \(layer \d+\) imports \.\.\/run\/attempts\.js from run/);
  });
});
