/**
 * Signals meant for the job: while a command runs, cronwrap passes them on to its process group (`pkill -USR2
 * -f job` matches cronwrap's command line too); otherwise they are ignored. Their default action would end
 * cronwrap with no footer or history and leave the job unsupervised. Not SIGPROF: V8's sampling profiler
 * (`node --cpu-prof`) ticks with it, and a listener would take every tick. Not SIGWINCH: ignored by default,
 * and the job's output is a pipe, not the terminal that was resized.
 */
export const PASSED_ON_SIGNALS = ['SIGQUIT', 'SIGUSR2', 'SIGALRM', 'SIGVTALRM', 'SIGIO', 'SIGPWR', 'SIGSTKFLT'] as const;

/**
 * Signals the kernel raises about cronwrap's own process (its CPU or file size limit, a trap, a filtered
 * system call): ignored, never passed on, since the job has limits of its own. Over the file size limit a
 * write then fails with EFBIG, which the log reports like any other write error.
 */
const OWN_SIGNALS = ['SIGXCPU', 'SIGXFSZ', 'SIGTRAP', 'SIGSYS'] as const;

/**
 * SIGUSR1 is Node's debugger signal: ignored, never passed on. The single executable starts Node with
 * --disable-sigusr1, which blocks it in every thread from the first instant (no listener ever sees it), so
 * no build passes it on: the same in all of them.
 */
const DEBUGGER_SIGNAL = 'SIGUSR1';

const ignore = () => undefined;

/**
 * Called first thing, in every mode: from then on none of these signals ends cronwrap, and SIGUSR1 never
 * starts Node's inspector (a listener takes the signal from the inspector's handler), which would let any
 * local user run code as cronwrap's user (root) on 127.0.0.1:9229. Never undone.
 */
export function holdSignals(): void {
  for (const signal of [...PASSED_ON_SIGNALS, ...OWN_SIGNALS, DEBUGGER_SIGNAL]) process.on(signal, ignore);
}
