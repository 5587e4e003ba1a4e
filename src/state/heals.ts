import { rmSync } from 'node:fs';
import { arrayOf, isNumber, shape } from '../util/check.js';
import { formatDuration } from '../util/format.js';
import { parseJobName } from '../util/job-name.js';
import { jobStatePath, readJobState, writeJobState, type ReadState } from './job-state.js';

/** `--on-failure`: when the job's heals ran since its last successful run (epoch ms, oldest first). */
export interface HealState {
  heals: number[];
}

/** More are never needed: the budget is at most 1000 a day. */
const KEPT_HEALS = 1000;
const DAY_MS = 24 * 3600 * 1000;

const NONE: HealState = { heals: [] };
const isHealState = shape<HealState>({ heals: arrayOf(isNumber) });

// The run hands its job's name over as text (run/context.ts): checked again before it names a file.

export function readHeals(stateDir: string, job: string, now: number): ReadState<HealState> {
  return readJobState(stateDir, 'heals', parseJobName('job', job), NONE, isHealState, now);
}

export function recordHeal(stateDir: string, job: string, state: HealState, now: number): void {
  writeJobState(stateDir, 'heals', parseJobName('job', job), { heals: [...trustedHeals(state, now), now].slice(-KEPT_HEALS) });
}

/** The heals dated no later than now: one in the future cannot be trusted (the clock was stepped back since). */
function trustedHeals(state: HealState, now: number): number[] {
  return state.heals.filter((at) => at <= now);
}

/** A successful run: cooldown and budget start afresh. */
export function clearHeals(stateDir: string, job: string): void {
  rmSync(jobStatePath(stateDir, 'heals', parseJobName('job', job)), { force: true });
}

export interface HealLimits {
  cooldownMs: number;
  budget: number;
}

/** Why a heal may not run now (`--heal-cooldown`, `--heal-budget`), or undefined when it may. */
export function healHeldBack(state: HealState, limits: HealLimits, now: number): string | undefined {
  // A future heal would hold heals back for as long as the clock's step: it is forgotten instead.
  const heals = trustedHeals(state, now);
  const last = heals.at(-1);
  if (last !== undefined && now - last < limits.cooldownMs) {
    return `the last heal was ${formatDuration(now - last)} ago, within --heal-cooldown of ${formatDuration(limits.cooldownMs)}`;
  }
  const today = heals.filter((at) => now - at < DAY_MS).length;
  if (today >= limits.budget) return `${today} heals in the last 24 hours used the --heal-budget of ${limits.budget}`;
  return undefined;
}
