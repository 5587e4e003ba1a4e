import { SUBCOMMAND_NAMES } from '../commands/index.js';
import { UsageError } from '../errors.js';
import { closestWords } from '../util/closest.js';
import { findExecutable } from '../util/find-executable.js';

/**
 * Refuses `cronwrap stauts`: a first argument that is no command on PATH but is close to one of cronwrap's
 * own would otherwise run as a job named `stauts` (a failed run, its history and alerts) instead of
 * showing the status. A word with a `/`, or after an option or `--`, is always the job's command.
 */
export function refuseMistypedSubcommand(argv: readonly string[], env: NodeJS.ProcessEnv): void {
  const [word] = argv;
  if (word === undefined || word.startsWith('-') || word.includes('/') || findExecutable(word, env)) return;
  const [meant] = closestWords(word, SUBCOMMAND_NAMES, 1);
  if (meant) throw new UsageError(`${word} is not a command on PATH nor one of cronwrap's; did you mean cronwrap ${meant}? (to run a command named ${word} as a job, put -- before it)`);
}
