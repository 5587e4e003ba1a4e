// The host's inventory as one file for node_exporter's textfile collector (`cronwrap jobs --metrics`):
// every job, wrapped or not, as `cronwrap_job_info`, so a fleet's Prometheus sees every job on every host.
import { join } from 'node:path';
import { replaceFile } from '../state/atomic-file.js';
import { escapeLabel } from './metrics.js';

/** Its name in the metrics directory: a hyphen, so no job's `cronwrap_<job>.prom` can ever be it. */
export const INVENTORY_FILE = 'cronwrap-inventory.prom';

/** The labels of one job's series: few and stable (no command text, line numbers or run ids). */
export interface InventoryLabels {
  /** The cronwrap job it runs as, or the name cronwrap would give it. */
  cron_job: string;
  user: string;
  /** As written: `0 3 * * *`, `@daily`, a timer's `OnCalendar=daily`; empty when none is known. */
  schedule: string;
  /** The kind of place: crontab, cron.d, user, anacrontab, run-parts, systemd. */
  source: string;
  /** local, package, run-parts (as `cronwrap jobs --all` says). */
  kind: string;
  wrapped: boolean;
}

/** What the inventory file says. */
export interface InventoryMetrics {
  jobs: readonly { labels: InventoryLabels; intervalSeconds: number | null }[];
  /** Lines that never run, by why: `rejected`, `ignored`, `refused_name`. */
  problemLines: Readonly<Record<(typeof PROBLEMS)[number], number>>;
  neverFiringTimers: number;
  timestampSeconds: number;
}

const LABELS = ['cron_job', 'user', 'schedule', 'source', 'kind', 'wrapped'] as const;
const PROBLEMS = ['rejected', 'ignored', 'refused_name'] as const;

/**
 * The longest label value written, in characters. A crontab line may be 9 KB of minute list, and any user
 * writes one: Prometheus keeps every label value of every series in memory.
 */
export const LABEL_MAX_CHARS = 64;

/**
 * A label value cut to LABEL_MAX_CHARS, its last character `…` when cut: no cron schedule, user or job name
 * holds one (cron's syntax is ASCII), so a cut value never reads as a whole one. Cut by code point, never
 * halving a character.
 */
export function cutLabel(value: string): string {
  if (value.length <= LABEL_MAX_CHARS) return value;
  const chars = Array.from(value.slice(0, 2 * LABEL_MAX_CHARS));
  return chars.length <= LABEL_MAX_CHARS ? value : `${chars.slice(0, LABEL_MAX_CHARS - 1).join('')}…`;
}

/**
 * The most label sets one user's spool crontab gets: any user writes 10,000 lines there, each a series of its
 * own. Root's spool crontab, /etc/crontab and /etc/cron.d are root's to write, and are not capped.
 */
export const USER_SERIES_MAX = 100;

/** Whether a job's series count against its user's cap: one from a spool crontab of a user other than root. */
const capped = (labels: InventoryLabels) => labels.source === 'user' && labels.user !== 'root';

/** `{cron_job="...",...}`, each value cut and escaped. */
function labelSet(labels: InventoryLabels): string {
  return `{${LABELS.map((name) => `${name}="${escapeLabel(cutLabel(String(labels[name])))}"`).join(',')}}`;
}

/** A family's HELP and TYPE lines, then its samples. */
function family(name: string, help: string, samples: readonly string[]): string[] {
  return [`# HELP ${name} ${help}`, `# TYPE ${name} gauge`, ...samples];
}

/**
 * The inventory in the Prometheus text exposition format. Jobs with the same labels (one command twice in a
 * crontab) are one sample, counted: node_exporter refuses a file with two samples of one series.
 */
export function renderInventory(metrics: InventoryMetrics): string {
  const series = new Map<string, { count: number; interval: number | null }>();
  /** Per capped user: how many label sets they have, and how many entries past the cap are only counted. */
  const perUser = new Map<string, { sets: number; left: number }>();
  for (const { labels, intervalSeconds } of metrics.jobs) {
    const key = labelSet(labels);
    const seen = series.get(key);
    if (seen) {
      seen.count++;
      if (intervalSeconds !== null) seen.interval = seen.interval === null ? intervalSeconds : Math.min(seen.interval, intervalSeconds);
      continue;
    }
    if (capped(labels)) {
      const user = perUser.get(labels.user) ?? { sets: 0, left: 0 };
      perUser.set(labels.user, user);
      if (user.sets >= USER_SERIES_MAX) {
        user.left++;
        continue;
      }
      user.sets++;
    }
    series.set(key, { count: 1, interval: intervalSeconds });
  }
  const lines = [
    ...family('cronwrap_job_info', 'A job scheduled on the host (crontab, cron.d, user crontab, anacrontab, run-parts script, systemd timer), wrapped by cronwrap or not; the value is how many schedule entries have these labels.', [...series].map(([labels, { count }]) => `cronwrap_job_info${labels} ${count}`)),
    ...family('cronwrap_job_interval_seconds', "The shortest time between two starts of the job's schedule (no sample when it is not known).", [...series].flatMap(([labels, { interval }]) => (interval === null ? [] : [`cronwrap_job_interval_seconds${labels} ${interval}`]))),
    ...family('cronwrap_crontab_problem_lines', 'Crontab lines that never run, by why: rejected (cron or anacron refuses the line), ignored (cron passes over its whole file), refused_name (cronwrap refuses its --name).', PROBLEMS.map((problem) => `cronwrap_crontab_problem_lines{problem="${problem}"} ${metrics.problemLines[problem]}`)),
    ...family('cronwrap_inventory_capped_entries', `Schedule entries of a user's crontab left out of cronwrap_job_info: past the first ${USER_SERIES_MAX} label sets of that user.`, [...perUser].flatMap(([user, { left }]) => (left === 0 ? [] : [`cronwrap_inventory_capped_entries{user="${escapeLabel(cutLabel(user))}"} ${left}`]))),
    ...family('cronwrap_never_firing_timers', 'systemd timers that never fire: not enabled, masked, or their service is not found.', [`cronwrap_never_firing_timers ${metrics.neverFiringTimers}`]),
    ...family('cronwrap_inventory_timestamp_seconds', 'When cronwrap jobs --metrics wrote this inventory (Unix time).', [`cronwrap_inventory_timestamp_seconds ${metrics.timestampSeconds}`]),
  ];
  return `${lines.join('\n')}\n`;
}

/**
 * Writes `<metricsDir>/cronwrap-inventory.prom` atomically, as the per-job files are (a scrape never reads half
 * of it), in a directory only root or the running user controls (else UnsafePathError, nothing written). Returns its path.
 */
export function saveInventory(metricsDir: string, metrics: InventoryMetrics): string {
  const path = join(metricsDir, INVENTORY_FILE);
  replaceFile(path, renderInventory(metrics), 0o644, 0o755);
  return path;
}
