// A copy of this project with a contributor's change applied (new files, lines inserted), typechecked and built:
// the tests of src/README.md's recipes prove that a new subcommand or channel is that change and no more.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const PROJECT = resolve(__dirname, '../..');
const COPIED = ['src', 'scripts', 'bin', 'package.json', 'tsconfig.json', 'tsconfig.page.json'];

/** `text` goes on a new line after the one line of `file` that contains `after` (relative to the copy). */
export interface Insertion {
  file: string;
  after: string;
  text: string;
}

export interface ExtendedTree {
  dir: string;
  /** The copy's bin/cronwrap, running its own dist/. */
  bin: string;
  /** Removes the copy (built once for a file's tests: the caller removes it after them all). */
  remove(): void;
}

/** Copies the project, writes `files` (path in the copy → content), applies `insertions`, typechecks and builds it. */
export function extendedTree(files: Record<string, string>, insertions: readonly Insertion[]): ExtendedTree {
  const dir = mkdtempSync(join(tmpdir(), 'cronwrap-extended-'));
  for (const name of COPIED) cpSync(join(PROJECT, name), join(dir, name), { recursive: true });
  symlinkSync(join(PROJECT, 'node_modules'), join(dir, 'node_modules'));
  for (const [path, content] of Object.entries(files)) writeFileSync(join(dir, path), content);
  for (const { file, after, text } of insertions) {
    const lines = readFileSync(join(dir, file), 'utf8').split('\n');
    const at = lines.flatMap((line, index) => (line.includes(after) ? [index] : []));
    // The recipe names one place: an anchor found twice or not at all means the recipe is out of date.
    if (at.length !== 1) throw new Error(`${file}: '${after}' found on ${at.length} lines, not one`);
    lines.splice(at[0]! + 1, 0, text);
    writeFileSync(join(dir, file), lines.join('\n'));
  }
  const run = (args: string[]) => {
    const done = spawnSync(process.execPath, args, { cwd: dir, encoding: 'utf8' });
    // tsc says what is wrong on stdout: the failure shows it.
    if (done.status !== 0) throw new Error(`${args.join(' ')} failed in the copy:\n${done.stdout}${done.stderr}`);
  };
  try {
    run([join(PROJECT, 'node_modules/typescript/bin/tsc'), '--noEmit', '-p', '.']);
    run(['scripts/check-layers.mjs']);
    run(['scripts/build.mjs']);
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return { dir, bin: join(dir, 'bin/cronwrap'), remove: () => rmSync(dir, { recursive: true, force: true }) };
}
