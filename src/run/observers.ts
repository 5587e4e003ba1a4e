import { codeOf, errorCode } from '../errors.js';
import type { Writer } from '../util/fd.js';
import { warn } from '../output/console.js';
import type { Observer, RunEvent, StageProblem, StageResults, StagesBefore } from './events.js';
import type { RunSummary } from './run-values.js';

/** An exception that is not a failed system call is a bug in cronwrap: say so. */
function describeFailure(error: unknown): string {
  if (error instanceof Error && codeOf(error) === undefined) {
    return `internal error (a bug in cronwrap, please report it): ${error.stack?.split('\n', 2).join(' ') ?? error.message}`;
  }
  return errorCode(error);
}

/**
 * The one guard between the job's result and cronwrap's own reactions to it. It never throws: an
 * observer that fails is reported once on stderr (`cronwrap: <stage>: <reason>`), hears no more events,
 * and its failure becomes a StageProblem that reaches the footer and the history.
 */
export class GuardedObservers {
  private readonly failed = new Map<Observer, string>();

  constructor(
    private readonly observers: readonly Observer[],
    private readonly stderr: Writer,
  ) {}

  /** Passes an event to every observer still standing. */
  emit(event: RunEvent): void {
    for (const observer of this.observers) {
      if (!observer.on || this.failed.has(observer)) continue;
      try {
        observer.on(event);
      } catch (error) {
        this.fail(observer, error);
      }
    }
  }

  /** Ends the run for each observer in order; each is handed what the ones before it did. */
  async end(summary: RunSummary, stop: AbortSignal): Promise<StagesBefore> {
    const results: Partial<StageResults> = {};
    const problems: StageProblem[] = [];
    for (const observer of this.observers) {
      const earlier = this.failed.get(observer);
      if (earlier !== undefined) {
        problems.push({ stage: observer.stage, problem: earlier });
        continue;
      }
      try {
        const ended = await observer.end?.({ summary, results: { ...results }, problems: [...problems], stop });
        if (ended?.problem) {
          warn(this.stderr, `${observer.stage}: ${ended.problem}`);
          problems.push({ stage: observer.stage, problem: ended.problem });
        }
        Object.assign(results, ended?.results);
      } catch (error) {
        problems.push({ stage: observer.stage, problem: this.fail(observer, error) });
      }
    }
    return { results, problems };
  }

  private fail(observer: Observer, error: unknown): string {
    const problem = describeFailure(error);
    this.failed.set(observer, problem);
    warn(this.stderr, `${observer.stage}: ${problem}`);
    return problem;
  }
}
