import { resolve } from 'node:path';

declare const CRONWRAP_VERSION: string;
/** How this cronwrap was built, set by scripts/build.mjs and scripts/executable.mjs (vitest: `source`). */
declare const CRONWRAP_BUILD: BuildKind;

export type BuildKind = 'source' | 'bundle' | 'node-file' | 'executable' | 'deb';

const BUILT_AS: Record<BuildKind, string> = {
  source: 'from source',
  bundle: 'Node bundle',
  'node-file': 'single Node file',
  executable: 'single executable',
  deb: 'Debian package, single executable',
};

/** Whether this cronwrap is a single executable, its Node built in (not run by an installed Node). */
export const builtInRuntime = (): boolean => CRONWRAP_BUILD === 'executable' || CRONWRAP_BUILD === 'deb';

/**
 * The absolute path of the cronwrap that runs, as a crontab line should call it: the single executable's own
 * file (its argv[1] is only the name it was called by), else the script Node runs (Node makes it absolute).
 */
export const runningBinary = (): string => (builtInRuntime() ? process.execPath : resolve(process.argv[1] ?? 'cronwrap'));

/** `cronwrap 0.1.0 (Debian package, single executable, Node v26.12.1 built in)`: what `--version` prints. */
export function versionText(): string {
  const node = builtInRuntime() ? `Node ${process.version} built in` : `run by Node ${process.version} at ${process.execPath}`;
  return `cronwrap ${CRONWRAP_VERSION} (${BUILT_AS[CRONWRAP_BUILD]}, ${node})`;
}
