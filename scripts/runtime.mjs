// The Node.js the single executable is made of: Node's own release binary from the npm registry
// (node-linux-<arch>), pinned by packaging/runtime/package-lock.json and installed there on first use.
// Kept apart from the project's dependencies because its package links a `node` that would come first
// on npm scripts' PATH and run the build and the tests too. To move to the next LTS line, change the two
// versions in packaging/runtime/package.json and run `npm install --prefix packaging/runtime`.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const DIR = new URL('../packaging/runtime/', import.meta.url).pathname;
const PACKAGE = `node-linux-${process.arch}`;

const installedVersion = (dir) => (existsSync(join(dir, 'package.json')) ? JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).version : undefined);

/** The pinned Node release: its binary, version and licence file; installed with `npm ci` when missing or stale. */
export function runtime() {
  const pinned = JSON.parse(readFileSync(join(DIR, 'package.json'), 'utf8')).optionalDependencies[PACKAGE];
  if (!pinned) throw new Error(`packaging/runtime/package.json pins no ${PACKAGE}: no Node release for ${process.arch}`);
  const dir = join(DIR, 'node_modules', PACKAGE);
  if (installedVersion(dir) !== pinned) execFileSync('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: DIR, stdio: ['ignore', 'ignore', 'inherit'] });
  if (installedVersion(dir) !== pinned) throw new Error(`${PACKAGE}@${pinned} did not install into ${dir}`);
  return { node: join(dir, 'bin', 'node'), version: `v${pinned}`, licence: join(dir, 'LICENSE') };
}
