/** The signals cron or a person sends to stop a job; cronwrap passes them on to the whole command. */
export const FORWARDED_SIGNALS = ['SIGTERM', 'SIGINT', 'SIGHUP'] as const;

export interface SignalForwarder {
  /** The first signal cronwrap got, if any. */
  readonly received: NodeJS.Signals | undefined;
  /** The command now runs as process group `pgid`: signals go there (one that came before is sent now). */
  attach(pgid: number): void;
  /** The command has exited: no SIGKILL is due any more. */
  commandExited(): void;
  /** Removes the handlers. */
  dispose(): void;
}

function killGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // ESRCH: the group is already gone, which is what we wanted.
  }
}

/**
 * Catches SIGTERM/SIGINT/SIGHUP from before the command starts (so none can slip in between spawning and
 * listening) and forwards them to its process group. A second signal, or the command still running
 * `killAfterMs` after the first, escalates to SIGKILL.
 */
export function forwardSignals(killAfterMs: number): SignalForwarder {
  let received: NodeJS.Signals | undefined;
  let killTimer: NodeJS.Timeout | undefined;
  let group: number | undefined;
  let escalate = false;
  const forward = () => {
    if (group === undefined || received === undefined) return;
    if (escalate) {
      killGroup(group, 'SIGKILL');
      return;
    }
    killGroup(group, received);
    const target = group;
    killTimer ??= setTimeout(() => killGroup(target, 'SIGKILL'), killAfterMs);
  };
  const onSignal = (signal: NodeJS.Signals) => {
    if (received !== undefined) escalate = true;
    received ??= signal;
    forward();
  };
  for (const signal of FORWARDED_SIGNALS) process.on(signal, onSignal);
  return {
    get received() {
      return received;
    },
    attach(pgid) {
      group = pgid;
      forward();
    },
    commandExited() {
      clearTimeout(killTimer);
    },
    dispose() {
      clearTimeout(killTimer);
      for (const signal of FORWARDED_SIGNALS) process.off(signal, onSignal);
    },
  };
}
