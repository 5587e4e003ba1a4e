/** A POSIX rule that is UTC anyway (`UTC0`, `GMT+0`): Node's UTC is right for it. */
const UTC_RULE = /^[A-Za-z]{3,}[+-]?0(:00)?$/;

/**
 * What is wrong with `TZ`, if anything. Node (ICU) knows zone names (`Europe/Paris`) but not POSIX rules
 * (`CET-1CEST,M3.5.0,M10.5.0/3`, `IST-5:30`), which date(1) and ts(1) honour: given one, Node silently
 * uses UTC, and every stamp would be hours off without a word.
 */
export function timeZoneProblem(tz: string | undefined): string | undefined {
  if (!tz) return undefined;
  const name = tz.replace(/^:/, '');
  try {
    new Intl.DateTimeFormat('en', { timeZone: name });
    return undefined;
  } catch {
    if (UTC_RULE.test(name)) return undefined;
    return `TZ='${tz}' is not a time zone cronwrap can use (POSIX rules are not understood; give a name such as Europe/Paris or Asia/Kolkata); times are in UTC`;
  }
}
