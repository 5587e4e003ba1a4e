// Pieces of dates as C's strftime and date(1) print them (C locale), shared by the timestamp styles.

export const pad2 = (n: number) => (n < 10 ? '0' : '') + n;
export const pad3 = (n: number) => (n < 10 ? '00' : n < 100 ? '0' : '') + n;

export const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
export const DAY_NAMES = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
export const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
export const MONTH_NAMES = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/** The local UTC offset, `+01:00` (or `+0100` without the colon, as strftime's %z). */
export function offsetText(date: Date, colon = true): string {
  const minutes = -date.getTimezoneOffset();
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  return `${sign}${pad2(Math.floor(abs / 60))}${colon ? ':' : ''}${pad2(abs % 60)}`;
}

// ICU knows a zone's abbreviation only in locales where it is in common use (CET in en-GB, IST in en-IN).
const ABBREVIATION_LOCALES = ['en-US', 'en-GB', 'en-IN', 'en-AU'];

/** The zone's abbreviation as date(1) prints it (PDT, CET, IST), else `GMT+9`. */
export function zoneAbbreviation(): (d: Date) => string {
  const formats = ABBREVIATION_LOCALES.map((locale) => new Intl.DateTimeFormat(locale, { timeZoneName: 'short' }));
  return (d) => {
    let fallback = offsetText(d);
    for (const format of formats) {
      const name = format.formatToParts(d).find((p) => p.type === 'timeZoneName')?.value;
      if (name && !/^GMT[+-]/.test(name)) return name;
      fallback = name ?? fallback;
    }
    return fallback;
  };
}
