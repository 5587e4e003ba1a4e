import { monotonicMs } from '../util/monotonic.js';
import { sleep } from '../util/sleep.js';
import { processesInGroup, type ProcessInfo } from '../util/proc.js';

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // ESRCH: the group is already gone, which is what we wanted.
  }
}

/**
 * Stops the command's process group: the signal, then SIGCONT so a stopped (SIGSTOP) job sees it, then
 * SIGKILL if the command is still running `killAfterMs` later. A stop asked for before the command has
 * started is sent as soon as it starts. Also passes other signals on to the group while the command runs.
 */
export class GroupStopper {
  private group: number | undefined;
  private pending: NodeJS.Signals | undefined;
  private killTimer: NodeJS.Timeout | undefined;

  constructor(private readonly killAfterMs: number) {}

  attach(pgid: number): void {
    this.group = pgid;
    if (this.pending) this.stop(this.pending);
  }

  /** The command has exited: no SIGKILL is due any more. */
  detach(): void {
    clearTimeout(this.killTimer);
    this.group = undefined;
  }

  stop(signal: NodeJS.Signals): void {
    const group = this.group;
    if (group === undefined) {
      this.pending ??= signal;
      return;
    }
    signalGroup(group, signal);
    signalGroup(group, 'SIGCONT');
    this.killTimer ??= setTimeout(() => signalGroup(group, 'SIGKILL'), this.killAfterMs);
  }

  /**
   * Passes `signal` on to the group as it is: no SIGCONT, a job stopped on purpose stays stopped. Returns
   * the group, or undefined when no command runs (the signal is then dropped).
   */
  pass(signal: NodeJS.Signals): number | undefined {
    if (this.group !== undefined) signalGroup(this.group, signal);
    return this.group;
  }

  /** SIGKILL now (a second signal from the operator). */
  kill(): void {
    if (this.group === undefined) this.pending = 'SIGKILL';
    else signalGroup(this.group, 'SIGKILL');
  }
}

/**
 * Ends the processes a command left in its process group, as systemd does when a service's main process
 * exits: SIGTERM and SIGCONT to each, then SIGKILL to any still there after `graceMs`.
 */
export async function endLeftovers(pgid: number, leftovers: readonly ProcessInfo[], graceMs: number): Promise<void> {
  const signalAll = (signal: NodeJS.Signals, processes: readonly ProcessInfo[]) => {
    signalGroup(pgid, signal);
    for (const { pid } of processes) {
      try {
        process.kill(pid, signal);
      } catch {
        // already gone
      }
    }
  };
  signalAll('SIGTERM', leftovers);
  signalAll('SIGCONT', leftovers);
  const deadline = monotonicMs() + graceMs;
  let remaining = processesInGroup(pgid);
  while (remaining.length > 0 && monotonicMs() < deadline) {
    await sleep(50);
    remaining = processesInGroup(pgid);
  }
  if (remaining.length > 0) signalAll('SIGKILL', remaining);
}
