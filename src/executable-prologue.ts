// The first code the single executable runs, put ahead of its bundle by scripts/bundles.mjs: it restarts
// without the NODE_* switches of the environment before the bundle loads a single module (NODE_DEBUG=module
// would print every load on stderr, which cron mails), or, once restarted, hands those variables back to the
// environment the job will get (Node read them as it started: setting them now changes nothing in cronwrap).
import { restartExecutable, shedNodeSwitches } from './util/runtime-environment.js';

shedNodeSwitches(process.env, (env) => {
  try {
    restartExecutable(env);
  } catch (error) {
    process.stderr.write(`cronwrap: Node's NODE_* switches stay in effect: ${error instanceof Error ? error.message : String(error)}\n`);
  }
});
