import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** What bash completes for the words of `line` (the last one being completed) with the completion `script`, job names from `stateDir`. */
export function completions(script: string, dir: string, stateDir: string, line: string): string[] {
  const file = join(dir, 'completion.bash');
  writeFileSync(file, script);
  const bash = `source ${JSON.stringify(file)}; COMP_WORDS=(${line}); COMP_CWORD=$((\${#COMP_WORDS[@]} - 1)); _cronwrap; printf '%s\\n' "\${COMPREPLY[@]}"`;
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', CRONWRAP_STATE_DIR: stateDir };
  return spawnSync('bash', ['-c', bash], { encoding: 'utf8', env }).stdout.trim().split('\n');
}
