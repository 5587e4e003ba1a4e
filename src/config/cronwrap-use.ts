import { basename } from 'node:path';
import { OPTIONS } from './options.js';
import { escapeControl } from '../util/format.js';
import { commandJobName } from '../util/command-job-name.js';
import { isJobName, JOB_NAME_RULE, type JobName } from '../util/job-name.js';

/** The flags that take a value (`--timeout 2h`), from the option table: the word after them is not the command. */
const TAKES_VALUE = new Set(OPTIONS.flatMap((spec) => (spec.flags && /[<[]/.test(spec.flags) ? spec.flags.split(/[ ,]+/).filter((f) => f.startsWith('-')) : [])));

/** A shell command line cut into words, quotes honoured (enough for a crontab line; no expansion). */
function words(command: string): string[] {
  return [...command.matchAll(/'([^']*)'|"((?:[^"\\]|\\.)*)"|(\S+)/g)].map((m) => m[1] ?? m[2]?.replace(/\\(.)/g, '$1') ?? m[3]!);
}


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

/** The cronwrap call in a crontab command, as written (no expansion), or undefined when it runs none. */
export function cronwrapCall(command: string): CronwrapCall | undefined {
  const all = words(command.split(/(?<!\\)%/)[0]!); // cron turns an unescaped % into a newline, then stdin
  const at = all.findIndex((word) => basename(word) === 'cronwrap' || basename(word) === 'cronwrap-standalone.cjs');
  if (at === -1) return undefined;
  const env: Record<string, string> = {};
  // Read backwards from cronwrap: of `X=1 X=2 cronwrap`, the shell gives X=2.
  for (let i = at - 1; i >= 0; i--) {
    const assignment = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s.exec(all[i]!);
    if (!assignment) break;
    env[assignment[1]!] ??= assignment[2]!;
  }
  return { env, args: all.slice(at + 1) };
}

/** What is wrong with a line whose `--name` cronwrap refuses: run by cron, it stops at once (exit 125). */
export function badNameProblem(name: string): string {
  return `cronwrap refuses --name '${escapeControl(name)}' (a job name is ${JOB_NAME_RULE}): this line never runs its job`;
}

/** Words that end cronwrap's own arguments on a crontab line: what follows is the shell's. */
const ENDS_ARGUMENTS = ['|', '||', '&&', ';', '&', '>', '2>&1'];

/** The job name cronwrap gives a run with these arguments, as written (`--name`) or made (util/command-job-name.ts). */
function jobName(args: readonly string[]): string {
  const commandFrom = (at: number) => {
    const end = args.findIndex((arg, i) => i >= at && ENDS_ARGUMENTS.includes(arg));
    return commandJobName({ argv: args.slice(at, end === -1 ? undefined : end) });
  };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = inline ?? args[i + 1];
    if ((flag === '--name' || flag === '-n') && value !== undefined) return value;
    if (flag === '-c' || flag === '--shell') return commandJobName({ shell: value ?? '' });
    if (flag === '--') return commandFrom(i + 1);
    if (ENDS_ARGUMENTS.includes(arg)) break;
    if (!arg.startsWith('-')) return commandFrom(i);
    if (TAKES_VALUE.has(flag) && inline === undefined) i++;
  }
  return 'stdin';
}
