import { createContext, Script, type Context } from 'node:vm';
import { monotonicMs } from '../util/monotonic.js';
import type { FleetExpect } from '../config/value-types.js';
import { fleetExpectLabel } from './metrics.js';
import type { Silence, SilenceMatcher } from './silences.js';

/**
 * The labels a run's alerts carry, as far as the run knows them: each with the values it may have (a host
 * goes by several names). A matcher on a label not here (alertname, severity, job) cannot be judged by the
 * run and does not stop a silence from applying: that part is Alertmanager's, for the alerts.
 */
export type RunLabels = ReadonlyMap<string, readonly string[]>;

/** Labels that name the host the way a scrape target does: `host:port` (node_exporter's `instance`). */
const WITH_PORT = new Set(['instance', 'exported_instance']);

/** The host labels a run matches with its host names. */
export const HOST_LABELS = ['instance', 'host', 'exported_instance'] as const;

/** The comment that makes a silence stop the job's runs, not only quiet them: `skip: disk swap`. */
const SKIP_COMMENT = /^\s*skip:/i;

/** `web1.example.com` and `web1`: the names a host's labels may give it. */
export function hostNames(host: string): string[] {
  if (/^[\d.]+$/.test(host)) return [host]; // an address has no short form
  const short = host.split('.')[0] ?? host;
  return short && short !== host ? [host, short] : [host];
}

/**
 * The labels of a job's alerts on this host: `cron_job`, the host under each of its labels, and the fleet
 * labels as its metrics carry them (empty when the job has none: an alert without a label matches as if it
 * were "", as in Alertmanager).
 */
export function runLabels(job: string, host: string, fleet?: { group: string; expect: FleetExpect }): RunLabels {
  const names = hostNames(host);
  return new Map<string, readonly string[]>([
    ['cron_job', [job]],
    ['fleet_group', [fleet?.group ?? '']],
    ['fleet_expect', [fleet ? fleetExpectLabel(fleet.expect) : '']],
    ...HOST_LABELS.map((label) => [label, names] as const),
  ]);
}

/** A silence that names the job, and whether it stops the runs (`skip:`) or only quiets them. */
export interface SilenceFound {
  silence: Silence;
  skip: boolean;
}

/** What the silences say of a job: the one that applies (a skip before a quieting one, then the longest), and the matchers that could not be judged. */
export interface SilenceVerdict {
  found?: SilenceFound;
  problems: string[];
  /** When the answer was Alertmanager's, if it was one a run kept (not asked now): a silence added or expired since is not in it. */
  keptFrom?: number;
}

/** A matcher whose regular expression cannot be judged here (JavaScript lacks some of RE2's syntax) or took too long. */
class Unjudgeable extends Error {}

// A silence's regex is anyone's with access to Alertmanager: run where a runaway backtrack is cut short
// (RE2, Alertmanager's engine, is linear; JavaScript's is not).
// A context costs milliseconds to make: only for a silence with a regex, once.
let sandbox: { context: Context; test: Script } | undefined;
const REGEX_MS = 50;
/**
 * What all the regexes of one judgement may take together: a thousand silences of runaway regexes (anyone may
 * add silences to an Alertmanager without a login) would otherwise hold every run 50 ms each, a minute in all.
 */
export const REGEX_BUDGET_MS = 250;

/** The time left for the regexes of one judgement (REGEX_BUDGET_MS), spent by each evaluation. */
export interface RegexBudget {
  leftMs: number;
}

export const regexBudget = (): RegexBudget => ({ leftMs: REGEX_BUDGET_MS });

function regexOf(pattern: string): RegExp {
  // RE2's leading (?i) (the only flag amtool users write) becomes JavaScript's i flag.
  const insensitive = pattern.startsWith('(?i)');
  try {
    return new RegExp(`^(?:${insensitive ? pattern.slice(4) : pattern})$`, insensitive ? 'i' : '');
  } catch {
    throw new Unjudgeable('is not a regular expression cronwrap can evaluate (RE2 syntax JavaScript lacks?)');
  }
}

function regexMatches(re: RegExp, text: string, budget: RegexBudget): boolean {
  if (budget.leftMs <= 0) throw new Unjudgeable(`was not evaluated: the ${REGEX_BUDGET_MS} ms for all silences' regexes were spent`);
  sandbox ??= { context: createContext({}), test: new Script('re.test(text)') };
  Object.assign(sandbox.context, { re, text });
  const timeout = Math.max(1, Math.min(REGEX_MS, Math.ceil(budget.leftMs)));
  const started = monotonicMs();
  try {
    return sandbox.test.runInContext(sandbox.context, { timeout }) === true;
  } catch {
    throw new Unjudgeable(`took over ${timeout} ms to evaluate`);
  } finally {
    budget.leftMs -= monotonicMs() - started;
  }
}

/**
 * The matcher's value compared with a host name: `web1:9100` as `web1`, and a regex's trailing port
 * (`:9100`, `:\d+`, `:[0-9]+`, `:.*`, `:.+`) dropped, since the run knows its host but not the port it is scraped on.
 */
function withoutPort({ value, isRegex }: SilenceMatcher): string {
  return isRegex ? value.replace(/:(?:\d+|\\d[+*]|\[0-9\][+*]|\.[+*])$/, '') : value.replace(/:\d+$/, '');
}

/** Whether the matcher holds for a label with these possible values: as Alertmanager (regex anchored; `!=`, `!~` the negation). */
export function matcherHolds(matcher: SilenceMatcher, values: readonly string[], budget: RegexBudget = regexBudget()): boolean {
  const value = WITH_PORT.has(matcher.name) ? withoutPort(matcher) : matcher.value;
  try {
    const re = matcher.isRegex ? regexOf(value) : undefined;
    const any = values.some((candidate) => (re ? regexMatches(re, candidate, budget) : candidate === value));
    return matcher.isEqual === false ? !any : any;
  } catch (error) {
    throw error instanceof Unjudgeable ? new Unjudgeable(`${matcherText(matcher)} ${error.message}`) : error;
  }
}

/** `cron_job=~"back.*"`, as amtool writes a matcher. */
export function matcherText({ name, value, isRegex, isEqual }: SilenceMatcher): string {
  const operator = isEqual === false ? (isRegex ? '!~' : '!=') : isRegex ? '=~' : '=';
  return `${name}${operator}${JSON.stringify(value)}`;
}

/** Whether the silence applies to the run: it names the job (a `cron_job` matcher), and every matcher on a label the run knows holds. */
function applies(silence: Silence, labels: RunLabels, budget: RegexBudget): boolean {
  if (!silence.matchers.some((m) => m.name === 'cron_job')) return false;
  // Plain matchers first: a silence another one rules out is never reported for a regex that cannot be judged.
  const plainFirst = [...silence.matchers].sort((a, b) => Number(a.isRegex) - Number(b.isRegex));
  return plainFirst.every((matcher) => {
    const values = labels.get(matcher.name);
    return values === undefined || matcherHolds(matcher, values, budget);
  });
}

/** The silence that applies to the run at `now`, if any: a skip first, then the one that ends last. */
export function silenceFor(silences: readonly Silence[], labels: RunLabels, now: number, budget: RegexBudget = regexBudget()): SilenceVerdict {
  const problems: string[] = [];
  let found: SilenceFound | undefined;
  for (const silence of silences) {
    if (silence.endsAt <= now) continue;
    try {
      if (!applies(silence, labels, budget)) continue;
    } catch (error) {
      if (!(error instanceof Unjudgeable)) throw error;
      problems.push(`silence ${silence.id} is not applied: ${error.message}`);
      continue;
    }
    const skip = SKIP_COMMENT.test(silence.comment);
    if (!found || (skip && !found.skip) || (skip === found.skip && silence.endsAt > found.silence.endsAt)) found = { silence, skip };
  }
  return { ...(found ? { found } : {}), problems: named(problems) };
}

/** The first problems whole, the rest counted: a thousand silences not applied are not a thousand lines in every footer. */
const PROBLEMS_NAMED = 3;
function named(problems: readonly string[]): string[] {
  const more = problems.length - PROBLEMS_NAMED;
  return more > 0 ? [...problems.slice(0, PROBLEMS_NAMED), `and ${more} more silences not applied`] : [...problems];
}
