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
    expect(check.stdout).toMatch(/every import goes down/);
    expect(check.status).toBe(0);
  });

  it('fails a folder that imports one above it, or one in no layer, naming the file', () => {
    const upward = tree({ 'util/a.ts': "import { b } from '../run/b.js';\n", 'run/b.ts': "import { a } from '../util/a.js';\nexport const b = a;\n" });
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
});
