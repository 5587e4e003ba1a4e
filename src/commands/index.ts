// cronwrap's own commands, the one list: parsing, dispatch, the top-level help, the man page and the completion
// are made from it. A new subcommand is a file in commands/ exporting its descriptor (subcommand.ts) and one line here.
import { testAlert, flush } from './alerts.js';
import { check } from './check.js';
import { config } from './config.js';
import { history } from './history.js';
import { jobs } from './jobs.js';
import { pause, resume } from './pause.js';
import { serve } from './serve.js';
import { status } from './status.js';
import { tail } from './tail.js';

/** In the order the top-level help, the man page and the completion list them. */
export const SUBCOMMANDS = [
  status,
  history,
  tail,
  jobs,
  check,
  serve,
  pause,
  resume,
  testAlert,
  flush,
  config,
] as const;

type Entry = (typeof SUBCOMMANDS)[number];

/** What runs: a subcommand, or an action of a group. */
export type RunnableSubcommand = Entry extends infer E ? (E extends { actions: readonly (infer A)[] } ? A : E) : never;

/** A group of actions in the list (`config`). */
export type SubcommandGroupEntry = Extract<Entry, { actions: unknown }>;

/** The words that start one of cronwrap's own commands. They are recognised only as the first argument, so `cronwrap -- status` runs a program named status. */
export const SUBCOMMAND_NAMES: readonly string[] = SUBCOMMANDS.map((entry) => entry.name);

/** Every subcommand and action, in the list's order. */
export function runnableSubcommands(): RunnableSubcommand[] {
  return SUBCOMMANDS.flatMap((entry): readonly RunnableSubcommand[] => ('actions' in entry ? entry.actions : [entry]));
}
