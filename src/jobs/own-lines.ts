// Whose job a crontab line is. A job is the pair (the state directory its runs are recorded in, its name):
// `check`, `status` and the live view judge only the lines whose runs they can see, so another user's line
// can neither hide, nor stand in for, nor page through, the viewer's own jobs.
import { resolve } from 'node:path';
import { cronwrapCall } from '../config/cronwrap-use.js';
import { resolveSettings, type GivenFlags } from '../config/resolve.js';
import type { CronEntry } from '../cron/crontab.js';
import { stateDirectory } from '../state/paths.js';
import type { JobName } from '../util/job-name.js';

/** Who is looking: the running user, its environment, and how cronwrap parses a run's arguments. */
export interface Viewer {
  user: string;
  uid: number;
  env: NodeJS.ProcessEnv;
  /** The flags a run started with these arguments is given; undefined when cronwrap refuses them (it runs nothing). */
  flagsOf: (args: readonly string[]) => GivenFlags | undefined;
  /** The words of cronwrap's own commands: a line that runs one (`cronwrap check`) wraps no job. */
  subcommands: readonly string[];
}

/** What a run of a line is started with: cronwrap's arguments written on it, and the environment cron gives it. */
export interface LineRun {
  args: readonly string[];
  env: NodeJS.ProcessEnv;
}

/** The flags that say where a run records; the words are looked for first, as parsing every line costs. */
const WHERE_FLAGS = ['--state-dir', '--config'];

/**
 * The viewer's own line: run as the viewer's user and recording its runs in `stateDir` (its `--state-dir`,
 * `CRONWRAP_STATE_DIR` set in the crontab or on the line, the config file, or the user's default, as its
 * run resolves them). Undefined for another user's line, or one whose runs go to another state directory.
 */
export function ownLine(entry: Pick<CronEntry, 'user' | 'command' | 'env'>, job: JobName, stateDir: string, viewer: Viewer): LineRun | undefined {
  if (entry.user !== viewer.user) return undefined;
  const call = cronwrapCall(entry.command);
  if (!call) return undefined;
  const env = { ...viewer.env, ...entry.env, ...call.env };
  const named = call.args.some((arg) => WHERE_FLAGS.some((flag) => arg === flag || arg.startsWith(`${flag}=`)));
  // A line cronwrap refuses never records a run: it is still the viewer's, and missed.
  const flags = named ? (viewer.flagsOf(call.args) ?? {}) : {};
  const where: GivenFlags = {};
  if (flags.stateDir !== undefined) where.stateDir = flags.stateDir;
  if (flags.config !== undefined) where.config = flags.config;
  const runsIn = stateDirectory(resolveSettings(where, env, job).settings.stateDir, env, viewer.uid);
  return resolve(runsIn) === resolve(stateDir) ? { args: call.args, env } : undefined;
}
