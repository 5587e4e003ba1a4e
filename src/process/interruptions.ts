import { PASSED_ON_SIGNALS } from '../util/signals.js';

/** The signals cron or a person sends to stop a job; cronwrap passes them on to the whole command. */
const STOP_SIGNALS = ['SIGTERM', 'SIGINT', 'SIGHUP'] as const;

type Listener = (signal: NodeJS.Signals, repeated: boolean) => void;
type PassOn = (signal: NodeJS.Signals) => void;

/**
 * Catches SIGTERM/SIGINT/SIGHUP for the whole run (jitter, lock wait, every attempt, retry delays), so a
 * signal is never lost between steps and cronwrap always finishes its log before exiting 128+n. The
 * signals meant for the job (PASSED_ON_SIGNALS) go to whoever passes them on, and are dropped when no one does.
 */
export class Interruptions {
  private first: NodeJS.Signals | undefined;
  private readonly listeners = new Set<Listener>();
  private readonly onSignal = (signal: NodeJS.Signals) => {
    const repeated = this.first !== undefined;
    this.first ??= signal;
    for (const listener of this.listeners) listener(signal, repeated);
  };
  private readonly passOns = new Set<PassOn>();
  private readonly onPassOn = (signal: NodeJS.Signals) => {
    for (const passOn of this.passOns) passOn(signal);
  };

  constructor() {
    for (const signal of STOP_SIGNALS) process.on(signal, this.onSignal);
    for (const signal of PASSED_ON_SIGNALS) process.on(signal, this.onPassOn);
  }

  /** The first signal received, if any. */
  get received(): NodeJS.Signals | undefined {
    return this.first;
  }

  /** Calls `listener` for each signal from now on; returns the function that stops that. */
  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Calls `passOn` for each signal meant for the job from now on; returns the function that stops that. */
  passOn(passOn: PassOn): () => void {
    this.passOns.add(passOn);
    return () => this.passOns.delete(passOn);
  }

  /** Waits `ms`, or less if a signal comes; resolves true if it was cut short by a signal. */
  sleep(ms: number): Promise<boolean> {
    if (this.first) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = (interrupted: boolean) => {
        clearTimeout(timer);
        unsubscribe();
        resolve(interrupted);
      };
      const timer = setTimeout(() => done(false), ms);
      const unsubscribe = this.subscribe(() => done(true));
    });
  }

  /**
   * A signal for cronwrap's own work after the job (alerts, pushes): it aborts `graceMs` after the first
   * stop signal (counted from now if one came already), and at once on a second.
   */
  stopAfter(graceMs: number): AbortSignal {
    const controller = new AbortController();
    const abort = () => controller.abort(new Error(`cronwrap got ${this.first ?? 'a signal'}`));
    let timer: NodeJS.Timeout | undefined;
    const start = () => {
      // unref: a run that ends within the grace exits at once, not after it.
      timer ??= setTimeout(abort, graceMs).unref();
    };
    if (this.first) start();
    this.subscribe((_signal, repeated) => (repeated ? abort() : start()));
    return controller.signal;
  }

  dispose(): void {
    for (const signal of STOP_SIGNALS) process.off(signal, this.onSignal);
    for (const signal of PASSED_ON_SIGNALS) process.off(signal, this.onPassOn);
    this.listeners.clear();
    this.passOns.clear();
  }
}
