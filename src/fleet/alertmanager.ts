import type { FleetExpect } from '../config/value-types.js';
import { fetchText } from '../net/http.js';
import { readSilenceCache, silenceSource, writeSilenceCache, type SilenceCache } from './silence-cache.js';
import { regexBudget, runLabels, silenceFor, type SilenceVerdict } from './silence-match.js';
import { activeSilences } from './silences.js';

/** How long a run waits for Alertmanager's answer before it goes on without one: cron never hangs on it. */
export const ALERTMANAGER_TIMEOUT_MS = 2000;

/** Larger than the silences of any Alertmanager people use (each is under 1 KiB); a larger answer is refused, not cut. */
const MAX_ANSWER_BYTES = 4 * 1024 * 1024;

/** What a run asks Alertmanager: whether a silence names this job on this host. */
export interface SilenceQuestion {
  url: string;
  stateDir: string;
  job: string;
  host: string;
  /** `--fleet-group`, `--fleet-expect`. */
  fleet?: { group: string; expect: FleetExpect } | undefined;
  /** Wall-clock ms (io.now). */
  now: number;
  /** How long an answer is reused by the runs after it (0: always ask). */
  cacheMs: number;
  /** Aborted when cronwrap is told to stop: the question is given up. */
  stop?: AbortSignal;
}

/** `GET <url>/api/v2/silences`, under the URL's own path (an Alertmanager behind a route prefix), its credentials kept. */
function silencesUrl(base: string): string {
  const url = new URL(base);
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/api/v2/silences`;
  return url.href;
}

async function askAlertmanager(url: string, source: string, now: number, stop: AbortSignal | undefined): Promise<SilenceCache> {
  const fetched = await fetchText(silencesUrl(url), { label: 'alertmanager', maxBytes: MAX_ANSWER_BYTES }, ALERTMANAGER_TIMEOUT_MS, () => now, stop);
  if (!fetched.ok) return { source, askedAt: now, silences: [], error: fetched.error };
  const silences = activeSilences(fetched.body);
  return 'error' in silences ? { source, askedAt: now, silences: [], error: `alertmanager: ${silences.error}` } : { source, askedAt: now, silences };
}

/**
 * Whether an active silence names the job on this host: from the answer a run kept in the state directory
 * within `cacheMs`, else from Alertmanager (bounded by ALERTMANAGER_TIMEOUT_MS), whose answer, or failure,
 * is kept for the runs after. Never throws: what went wrong is among the problems, and no silence applies.
 */
export async function askSilences(question: SilenceQuestion): Promise<SilenceVerdict> {
  const { url, stateDir, now, cacheMs, stop } = question;
  const source = silenceSource(url);
  const kept = cacheMs > 0 ? readSilenceCache(stateDir, source, now, cacheMs) : undefined;
  const answer = kept ?? (await askAlertmanager(url, source, now, stop));
  const keepProblem = kept || cacheMs === 0 || stop?.aborted ? undefined : writeSilenceCache(stateDir, answer);
  const asked = answer.error === undefined ? [] : [kept ? `${answer.error} (asked at ${new Date(answer.askedAt).toISOString()}; asked again after ${cacheMs / 1000}s)` : answer.error];
  const verdict = silenceFor(answer.silences, runLabels(question.job, question.host, question.fleet), now);
  return { ...verdict, problems: [...asked, ...verdict.problems, ...(keepProblem ? [keepProblem] : [])], ...(kept ? { keptFrom: kept.askedAt } : {}) };
}

/** The jobs (of `jobs`) a silence in the answer last kept names on this host at `now`, whatever its age: `check` asks no server. */
export function silencedByKeptAnswer(stateDir: string, host: string, jobs: readonly string[], now: number): Set<string> {
  const kept = readSilenceCache(stateDir, undefined, now, Infinity);
  if (!kept || kept.silences.length === 0) return new Set();
  const budget = regexBudget(); // one for all the jobs: check is bounded as a run is
  return new Set(jobs.filter((job) => silenceFor(kept.silences, runLabels(job, host), now, budget).found !== undefined));
}
