// What a subcommand is: one descriptor in its own file (commands/<name>.ts), listed once in commands/index.ts.
// The list drives parsing (cli/parse-args.ts), dispatch (main.ts), the top-level help, the man page and the completion.
import type { Command } from 'commander';
import type { Settings } from '../config/options.js';
import type { GivenFlags, Resolved } from '../config/resolve.js';
import { UsageError } from '../errors.js';
import type { Io } from '../io.js';
import { parseJobName, type JobName } from '../util/job-name.js';
import type { Viewer } from '../jobs/own-lines.js';

/** The flags as given, and the job whose config section applies (none: the file's top level only). */
export interface Given {
  flags: GivenFlags;
  job: JobName | undefined;
}

/** What a subcommand taking a `<job>` argument is given: that job. */
export interface JobGiven extends Given {
  job: JobName;
}

/** What every subcommand runs with: the settings as resolved, the state directory, who is looking, the world. */
export interface CommandContext {
  resolved: Resolved;
  settings: Settings;
  stateDir: string;
  viewer: Viewer;
  io: Io;
}

/** Its line in the top-level help's Commands list: `cronwrap <synopsis>`, then what it does. */
export interface Summary {
  synopsis: string;
  text: string;
}

/** What parsing, dispatch, the help, the man page and the completion know of a subcommand, beyond how it parses and runs. */
export interface SubcommandFacts<N extends string> {
  /** The word after `cronwrap` (an action's: its group's and its own, `config check`). */
  name: N;
  /** None: told in another's line (resume in pause's). */
  summary?: Summary;
  /** Its --help's description. */
  description: string;
  /** The option table's rows it takes (config/options.ts). */
  settings: readonly (keyof Settings)[];
  /** It shows what the state directory holds: refused from a directory others control. */
  readsState: boolean;
  /** It prints the config file's problems itself (config check, show): main does not say them first. */
  ownsConfigProblems?: boolean;
  /** Its own options and arguments, added to its commander program (built only when it is asked for). */
  options?(program: Command): void;
}

/** A subcommand as its file writes it; `values` turns commander's values into its invocation's own, throwing a UsageError for bad ones. */
export interface SubcommandSpec<N extends string, G extends Given, V extends object> extends SubcommandFacts<N> {
  values(program: Command, given: G): V;
  run(call: G & V, context: CommandContext): number | Promise<number>;
}

/** A subcommand as parsed: its name as `mode`, the flags, its values, and how to run them. */
export type SubcommandCall<N extends string, C extends Given> = C & {
  mode: N;
  subcommand: SubcommandFacts<N>;
  run(context: CommandContext): Promise<number>;
};

/** A subcommand in the list. */
export interface Subcommand<N extends string, C extends Given> extends SubcommandFacts<N> {
  /** Its first argument is a job name (completed from the histories here). */
  takesJob: boolean;
  /** The invocation, from its parsed commander program and the option table's flags given. */
  invocation(program: Command, flags: GivenFlags): SubcommandCall<N, C>;
}

/** A subcommand made of actions (`config check`, `config show`): the word after it chooses one. */
export interface SubcommandGroup<N extends string, A extends Subcommand<`${N} ${string}`, Given>> {
  name: N;
  actions: readonly A[];
}

/** `--name`, checked like every job name. */
export function nameFlag(flags: GivenFlags): JobName | undefined {
  return typeof flags.name === 'string' ? parseJobName('--name', flags.name) : undefined;
}

/** Binds the values to the descriptor's run. */
function called<N extends string, G extends Given, V extends object>(spec: SubcommandSpec<N, G, V>, given: G, program: Command): SubcommandCall<N, G & V> {
  const call: SubcommandCall<N, G & V> = { ...given, ...spec.values(program, given), mode: spec.name, subcommand: spec, run: async (context) => spec.run(call, context) };
  return call;
}

/** A subcommand taking no job argument: its job, if any, is --name's. */
export function subcommand<N extends string, V extends object>(spec: SubcommandSpec<N, Given, V>): Subcommand<N, Given & V> {
  return { ...spec, takesJob: false, invocation: (program, flags) => called(spec, { flags, job: nameFlag(flags) }, program) };
}

/** A subcommand whose first argument is a job name (`history <job>`). */
export function jobSubcommand<N extends string, V extends object>(spec: SubcommandSpec<N, JobGiven, V>): Subcommand<N, JobGiven & V> {
  return {
    ...spec,
    takesJob: true,
    options: (program) => {
      program.argument('<job>', 'job name');
      spec.options?.(program);
    },
    // Commander has refused a missing <job> by now.
    invocation: (program, flags) => called(spec, { flags, job: parseJobName('<job>', program.args[0] ?? '') }, program),
  };
}

/** An option's value that must be a whole number of at least 1 (`-n 20`). */
export function wholeNumber(label: string): (value: string) => number {
  return (value) => {
    if (!/^\d+$/.test(value) || Number(value) < 1) throw new UsageError(`${label}: '${value}' is not a whole number of at least 1`);
    return Number(value);
  };
}

/** A group of actions; each action's name starts with the group's (`config check`). */
export function subcommandGroup<N extends string, A extends Subcommand<`${N} ${string}`, Given>>(name: N, actions: readonly A[]): SubcommandGroup<N, A> {
  return { name, actions };
}
