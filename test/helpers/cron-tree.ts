import { chmodSync, cpSync, lstatSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { FIXTURES } from './cronwrap.js';

/** Files 0644 (0755 when executable) and directories 0755, whatever the umask of the checkout. */
function installModes(path: string): void {
  const stats = lstatSync(path);
  if (stats.isSymbolicLink()) return;
  if (stats.isDirectory()) {
    chmodSync(path, 0o755);
    for (const name of readdirSync(path)) installModes(join(path, name));
  } else {
    chmodSync(path, (stats.mode & 0o100) !== 0 ? 0o755 : 0o644);
  }
}

/**
 * A copy of a fixture cron tree (test/fixtures/NAME) at `dir`, with the modes a package or an admin's
 * install gives it: cron passes over a crontab its group may write, and a checkout's umask may allow that.
 * Owned by whoever runs the tests (root in CI, as on a host). Symlinks are copied as they are.
 */
export function cronTree(name: string, dir: string): string {
  cpSync(join(FIXTURES, name), dir, { recursive: true, verbatimSymlinks: true });
  installModes(dir);
  return dir;
}

/** A host's cron files: path → text; a path ending in `*` is an executable script (the `*` dropped). */
export type Tree = Record<string, string>;

/** Writes a cron tree as a package or an admin installs one: directories 0755, files 0644 (scripts 0755). */
export function writeTree(root: string, tree: Tree): string {
  for (const [name, text] of Object.entries(tree)) {
    const script = name.endsWith('*');
    const path = join(root, script ? name.slice(0, -1) : name);
    mkdirSync(dirname(path), { recursive: true, mode: 0o755 });
    writeFileSync(path, text);
    chmodSync(path, script ? 0o755 : 0o644);
  }
  return root;
}
