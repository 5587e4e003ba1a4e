// The single executable's Node reads some NODE_* variables as it starts, before any of cronwrap runs:
// NODE_DEBUG prints sockets' traffic to stderr, NODE_V8_COVERAGE makes root write files where it says,
// NODE_COMPILE_CACHE and NODE_ICU_DATA load files, NODE_PENDING_DEPRECATION and NODE_REDIRECT_WARNINGS add
// warnings or write them to a file. A root utility takes no such switch from its environment: the
// executable restarts itself without them (execve: the first process never reaches its exit hooks, which
// is where coverage would be written) and hands them to the job, whose environment they are. Run first of
// all by src/executable-prologue.ts. What Node does with a variable before any script runs is beyond it:
// NODE_COMPILE_CACHE makes its directory, NODE_CHANNEL_FD and NODE_REPL_EXTERNAL_MODULE stop Node.
import { isString, parseJsonObject } from './check.js';

/** NODE_* variables that are configuration, not code or debugging: the runtime may keep them. */
const KEPT = new Set(['NODE_ENV', 'NODE_EXTRA_CA_CERTS', 'NODE_NO_WARNINGS', 'NODE_DISABLE_COLORS', 'NODE_TLS_REJECT_UNAUTHORIZED', 'NODE_USE_ENV_PROXY']);
/** Where the restart carries the shed variables. `NODE_OPTIONS` is never read by the executable (execArgvExtension). */
const CARRIED = 'CRONWRAP_SHED_NODE_VARIABLES';

const isShed = (name: string) => name.startsWith('NODE_') && name !== 'NODE_OPTIONS' && !KEPT.has(name);

/**
 * Restarts through `restart` without the NODE_* switches of `env` when it has any (a restart does not
 * return), or, once restarted, puts the variables it shed back into `env`, for the job's environment.
 */
export function shedNodeSwitches(env: NodeJS.ProcessEnv, restart: (env: NodeJS.ProcessEnv) => void): void {
  const carried = env[CARRIED];
  delete env[CARRIED];
  const shed = Object.keys(env).filter(isShed);
  if (shed.length > 0) {
    const clean: NodeJS.ProcessEnv = { ...env, [CARRIED]: JSON.stringify(Object.fromEntries(shed.map((name) => [name, env[name]]))) };
    for (const name of shed) delete clean[name];
    restart(clean);
    return;
  }
  Object.assign(env, carriedVariables(carried));
}

/** What the restart carried: only shed NODE_* names with string values (anything else is dropped, not trusted). */
function carriedVariables(text: string | undefined): Record<string, string> {
  const parsed = text === undefined ? undefined : parseJsonObject(text);
  if (!parsed) return {};
  return Object.fromEntries(Object.entries(parsed).flatMap(([name, value]) => (isShed(name) && isString(value) ? [[name, value]] : [])));
}

/** Node's process.execve (Node 23.11 and later; @types/node describes the Node the npm build supports). */
type Execve = (file: string, args: readonly string[], env: NodeJS.ProcessEnv) => never;

/** Replaces this process with a fresh start of the same executable and arguments, in `env`. */
export function restartExecutable(env: NodeJS.ProcessEnv): void {
  const { execve } = process as NodeJS.Process & { execve?: Execve };
  if (!execve) throw new Error(`this Node (${process.version}) cannot restart itself (process.execve)`);
  // In a single executable, argv[0] is its path and argv[1] what it was called as.
  execve(process.execPath, process.argv.slice(1), env);
}
