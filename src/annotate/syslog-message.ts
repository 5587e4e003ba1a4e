/**
 * RFC 5424 syslog messages: `<PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID [SD-ID name="value" ...] MSG`.
 * Pure: the caller gives the time, the host and the text.
 */

/** The facilities by their names (RFC 5424 table 1, as syslog(3) and logger(1) name them). */
export const SYSLOG_FACILITIES = {
  kern: 0, user: 1, mail: 2, daemon: 3, auth: 4, syslog: 5, lpr: 6, news: 7, uucp: 8, cron: 9, authpriv: 10, ftp: 11,
  local0: 16, local1: 17, local2: 18, local3: 19, local4: 20, local5: 21, local6: 22, local7: 23,
} as const;
export type SyslogFacility = keyof typeof SYSLOG_FACILITIES;
export const SYSLOG_FACILITY_NAMES = Object.keys(SYSLOG_FACILITIES) as SyslogFacility[];

/** The severities (RFC 5424 table 2). */
const SEVERITIES = { emerg: 0, alert: 1, crit: 2, err: 3, warning: 4, notice: 5, info: 6, debug: 7 } as const;
export type SyslogSeverity = keyof typeof SEVERITIES;

/**
 * The structured data element every message carries. An SD-ID of one's own needs `@` and a private
 * enterprise number; 32473 is the one IANA reserves for documentation (RFC 5612), so the name never
 * collides with a registered enterprise's elements.
 */
export const SD_ID = 'cronwrap@32473';

/** The most of a line's bytes one message carries: with its header it stays under rsyslog's default 8 KiB limit. */
export const SYSLOG_TEXT_BYTES = 4096;

/** The PRI value: facility × 8 + severity. */
export function priority(facility: SyslogFacility, severity: SyslogSeverity): number {
  return SYSLOG_FACILITIES[facility] * 8 + SEVERITIES[severity];
}

/** An SD-PARAM value as RFC 5424 section 6.3.3 has it: `"`, `\` and `]` escaped with a backslash. */
export function sdParamValue(value: string): string {
  return value.replace(/["\\\]]/g, '\\$&');
}

/** `[id name="value" ...]`. Names are ours (printable ASCII without `=`, space, `]`, `"`); values are escaped. */
export function sdElement(id: string, params: readonly (readonly [string, string])[]): string {
  return `[${id}${params.map(([name, value]) => ` ${name}="${sdParamValue(value)}"`).join('')}]`;
}

/** A header field (HOSTNAME, APP-NAME, MSGID): printable US-ASCII only, at most `max` characters, `-` when empty. */
export function headerField(text: string, max: number): string {
  const field = text.replace(/[^!-~]/g, '_').slice(0, max);
  return field === '' ? '-' : field;
}

export interface SyslogHeader {
  facility: SyslogFacility;
  severity: SyslogSeverity;
  /** RFC 3339, e.g. 2026-12-03T11:40:22.123Z. */
  time: string;
  host: string;
  app: string;
  procid: number;
  msgid: string;
  structuredData: string;
}

/** Everything before MSG, with the space that separates it from MSG. */
export function syslogHead(header: SyslogHeader): string {
  const { facility, severity, time, host, app, procid, msgid, structuredData } = header;
  return `<${priority(facility, severity)}>1 ${time} ${headerField(host, 255)} ${headerField(app, 48)} ${procid} ${headerField(msgid, 32)} ${structuredData} `;
}

/**
 * Where to cut `data[start, end)` so that a piece holds at most `max` bytes and never splits a UTF-8
 * character: the cut moves back over continuation bytes (at most three). Bytes that are not UTF-8 are
 * cut at `max`.
 */
export function pieceEnd(data: Buffer, start: number, end: number, max: number): number {
  if (end - start <= max) return end;
  const cut = start + max;
  for (let at = cut; at > cut - 4 && at > start; at--) {
    if (((data[at] ?? 0) & 0xc0) !== 0x80) return at;
  }
  return cut;
}
