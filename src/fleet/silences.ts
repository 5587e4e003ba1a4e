import { arrayOf, isBoolean, isNumber, isRecord, isString, optional, shape } from '../util/check.js';

/** One matcher of a silence, as Alertmanager's API v2 gives it (`isEqual` is missing before 0.22: equal). */
export interface SilenceMatcher {
  name: string;
  value: string;
  isRegex: boolean;
  isEqual?: boolean;
}

/** An active silence, with what a run tells of it: who made it, why, until when (wall-clock ms). */
export interface Silence {
  id: string;
  createdBy: string;
  comment: string;
  endsAt: number;
  matchers: SilenceMatcher[];
}

export const isSilenceMatcher = shape<SilenceMatcher>({ name: isString, value: isString, isRegex: isBoolean, isEqual: optional(isBoolean) });
export const isSilence = shape<Silence>({ id: isString, createdBy: isString, comment: isString, endsAt: isNumber, matchers: arrayOf(isSilenceMatcher) });

/** A silence as the API writes it: the times as RFC 3339 text, its state under `status`. */
const isApiSilence = shape<{ id: string; createdBy: string; comment: string; endsAt: string; status: { state: string }; matchers: SilenceMatcher[] }>({
  id: isString,
  createdBy: isString,
  comment: isString,
  endsAt: isString,
  status: shape<{ state: string }>({ state: isString }),
  matchers: arrayOf(isSilenceMatcher),
});

/**
 * The silences Alertmanager says are active, from the text of `GET /api/v2/silences` (which lists expired and
 * pending ones too); an error in words when the text is not such a list. Whether one names a job is
 * silence-match.ts's question.
 */
export function activeSilences(body: string): Silence[] | { error: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return { error: 'the answer is not JSON' };
  }
  if (!Array.isArray(parsed)) return { error: 'the answer is not a list of silences' };
  const active: Silence[] = [];
  for (const entry of parsed as unknown[]) {
    // Expired and pending silences are passed over unread: only what may pause a run must be whole.
    if (isRecord(entry) && isRecord(entry.status) && entry.status.state !== 'active') continue;
    if (!isApiSilence(entry)) return { error: 'the answer holds an active silence without id, createdBy, comment, endsAt or matchers' };
    const endsAt = Date.parse(entry.endsAt);
    if (!Number.isFinite(endsAt)) return { error: `silence ${entry.id}: endsAt is not a time` };
    active.push({ id: entry.id, createdBy: entry.createdBy, comment: entry.comment, endsAt, matchers: entry.matchers.map(({ name, value, isRegex, isEqual }) => ({ name, value, isRegex, ...(isEqual === undefined ? {} : { isEqual }) })) });
  }
  return active;
}
