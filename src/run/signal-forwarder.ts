/** The signals cron or a person sends to stop a job; cronwrap passes them on to the whole command. */
export const FORWARDED_SIGNALS = ['SIGTERM', 'SIGINT', 'SIGHUP'] as const;

export interface SignalForwarder {
  /** The first signal cronwrap got, if any. */
  readonly received: NodeJS.Signals | undefined;
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
 * Forwards SIGTERM/SIGINT/SIGHUP to the process group `pgid`. A second signal, or the command still
 * running `killAfterMs` after the first, escalates to SIGKILL.
 */
export function forwardSignals(pgid: number, killAfterMs: number): SignalForwarder {
  let received: NodeJS.Signals | undefined;
  let killTimer: NodeJS.Timeout | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    if (received !== undefined) {
      killGroup(pgid, 'SIGKILL');
      return;
    }
    received = signal;
    killGroup(pgid, signal);
    killTimer = setTimeout(() => killGroup(pgid, 'SIGKILL'), killAfterMs);
  };
  for (const signal of FORWARDED_SIGNALS) process.on(signal, onSignal);
  return {
    get received() {
      return received;
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
