import { basename } from 'node:path';
import { OPTIONS } from './options.js';
import { escapeControl } from '../util/format.js';
import { commandJobName, isSetup, wrappedCommandAt } from '../util/command-job-name.js';
import { LEADING_KEYWORDS } from '../util/command-wrappers.js';
import { simpleCommands } from '../util/shell-words.js';
import { isJobName, JOB_NAME_RULE, type JobName } from '../util/job-name.js';

/** The flags that take a value (`--timeout 2h`), from the option table: the word after them is not the command. */
const TAKES_VALUE = new Set(OPTIONS.flatMap((spec) => (spec.flags && /[<[]/.test(spec.flags) ? spec.flags.split(/[ ,]+/).filter((f) => f.startsWith('-')) : [])));

/** `NAME=value` before a program: a variable set for it. */
const ASSIGNMENT = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s;

/**
 * How a crontab command involves cronwrap: it wraps a job (named as cronwrap would name it), it gives a
 * `--name` cronwrap refuses (`badName`, as written), or it runs one of cronwrap's own commands.
 */
export type CronwrapUse = { job: JobName } | { badName: string } | { subcommand: string };

/**
 * Whether a crontab command runs under cronwrap, and as which job: the name cronwrap itself would use
 * (`--name`, else that of the program doing the work of the command or the `-c` line), checked as cronwrap checks
 * it. Filter mode (`... | cronwrap`) logs but runs nothing of its own: the job is the pipeline's, named
 * `stdin` unless `--name`. `subcommands`: the words of cronwrap's own commands (commands/index.ts, handed down).
 */
export function cronwrapUse(command: string, subcommands: readonly string[]): CronwrapUse | undefined {
  const call = cronwrapCall(command);
  if (!call) return undefined;
  // A line that runs one of cronwrap's own commands (`cronwrap status`) wraps no job.
  const subcommand = subcommands.find((name) => name === call.args[0]);
  if (subcommand) return { subcommand };
  const name = jobName(call.args);
  return isJobName(name) ? { job: name } : { badName: name };
}

/** How a crontab command starts cronwrap: the variables set for it on the line (`X=1 cronwrap`) and its arguments. */
export interface CronwrapCall {
  env: Record<string, string>;
  args: string[];
}

const isCronwrap = (word: string) => basename(word) === 'cronwrap' || basename(word) === 'cronwrap-standalone.cjs';

/**
 * The cronwrap call in a crontab command, as written (no expansion), or undefined when it runs none: cronwrap
 * where a program goes (a simple command's first word, after `if`/`then`/`{`, `X=1` and the wrappers before
 * it), never a word in another program's arguments (`[ -x /usr/bin/cronwrap ] &&` guards the call after it).
 */
export function cronwrapCall(command: string): CronwrapCall | undefined {
  for (const words of simpleCommands(command.split(/(?<!\\)%/)[0]!)) { // cron turns an unescaped % into a newline, then stdin
    const start = words.findIndex((word) => !LEADING_KEYWORDS.has(word));
    // A guard names cronwrap without running it: `command -v cronwrap &&`, `test -x /usr/bin/cronwrap &&`.
    if (start === -1 || isSetup(words.slice(start))) continue;
    let at: number | undefined = words.findIndex((word, i) => i >= start && !ASSIGNMENT.test(word));
    while (at !== undefined && at !== -1 && !isCronwrap(words[at]!)) at = wrappedCommandAt(words, at);
    if (at === undefined || at === -1) continue;
    const env: Record<string, string> = {};
    // Read backwards from cronwrap: of `X=1 X=2 cronwrap`, the shell gives X=2.
    for (let i = at - 1; i >= 0; i--) {
      const assignment = ASSIGNMENT.exec(words[i]!);
      if (!assignment) break;
      env[assignment[1]!] ??= assignment[2]!;
    }
    return { env, args: words.slice(at + 1) };
  }
  return undefined;
}

/** What is wrong with a line whose `--name` cronwrap refuses: run by cron, it stops at once (exit 125). */
export function badNameProblem(name: string): string {
  return `cronwrap refuses --name '${escapeControl(name)}' (a job name is ${JOB_NAME_RULE}): this line never runs its job`;
}

/** The job name cronwrap gives a run with these arguments, as written (`--name`) or made (util/command-job-name.ts). */
function jobName(args: readonly string[]): string {
  // The call's words end where its simple command does (shell-words.ts): no `&&`, `|` or redirection among them.
  const commandFrom = (at: number) => commandJobName({ argv: args.slice(at) });
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = inline ?? args[i + 1];
    if ((flag === '--name' || flag === '-n') && value !== undefined) return value;
    if (flag === '-c' || flag === '--shell') return commandJobName({ shell: value ?? '' });
    if (flag === '--') return commandFrom(i + 1);
    if (!arg.startsWith('-')) return commandFrom(i);
    if (TAKES_VALUE.has(flag) && inline === undefined) i++;
  }
  return 'stdin';
}
