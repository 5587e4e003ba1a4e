import { findExecutable } from '../util/find-executable.js';
import { commandText } from '../util/format.js';

/** What actually runs, once `--line-buffered` or `--pty` have had their say. */
export interface PreparedCommand {
  command: readonly [string, ...string[]];
  env: NodeJS.ProcessEnv;
}

/** Environment that makes common runtimes flush their output per line when it is a pipe. */
const LINE_BUFFERED_ENV = { PYTHONUNBUFFERED: '1' };

/**
 * A program writing into a pipe often block-buffers, so all lines of a block get the same late stamp.
 * `lineBuffered` asks for per-line flushing (PYTHONUNBUFFERED, and `stdbuf -oL -eL`, whose preloaded
 * library reaches every C stdio program in the tree); `pty` runs the command on a pseudo-terminal
 * through util-linux `script`, where stdio flushes per line by itself but stdout and stderr are merged.
 */
export function prepareCommand(
  command: readonly [string, ...string[]],
  env: NodeJS.ProcessEnv,
  { lineBuffered, pty }: { lineBuffered: boolean; pty: boolean },
): PreparedCommand {
  let prepared: readonly [string, ...string[]] = command;
  let preparedEnv = env;
  if (lineBuffered) {
    preparedEnv = { ...LINE_BUFFERED_ENV, ...env };
    const stdbuf = findExecutable('stdbuf', env);
    if (stdbuf) prepared = [stdbuf, '-oL', '-eL', ...prepared];
  }
  if (pty) {
    // `stty -onlcr` keeps the terminal from turning each \n into \r\n, so the bytes stay the command's.
    const inner = `stty -onlcr 2>/dev/null; exec ${commandText(prepared)}`;
    prepared = ['script', '--quiet', '--flush', '--return', '--command', inner, '/dev/null'];
    preparedEnv = { ...preparedEnv, SHELL: '/bin/sh' };
  }
  return { command: prepared, env: preparedEnv };
}
