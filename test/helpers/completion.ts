import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * What bash completes for each of `lines` (its words; the last one is being completed) with the completion
 * `script`, job names from `stateDir`. One bash for them all: a shell's start is most of the cost.
 */
export function completions(script: string, dir: string, stateDir: string, lines: readonly string[]): string[][] {
  const file = join(dir, 'completion.bash');
  writeFileSync(file, script);
  const each = lines.map((line) => `COMP_WORDS=(${line}); COMP_CWORD=$((\${#COMP_WORDS[@]} - 1)); COMPREPLY=(); _cronwrap; printf '%s\\n' "\${COMPREPLY[@]}" ---`);
  const bash = `source ${JSON.stringify(file)}\n${each.join('\n')}`;
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', CRONWRAP_STATE_DIR: stateDir };
  const out = spawnSync('bash', ['-c', bash], { encoding: 'utf8', env }).stdout;
  return out.split('---\n').slice(0, lines.length).map((words) => words.trim().split('\n'));
}
