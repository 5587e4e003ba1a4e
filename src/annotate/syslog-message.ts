/**
 * RFC 5424 syslog messages: `<PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID [SD-ID name="value" ...] MSG`.
 * Pure: the caller gives the time, the host and the text.
 */

/**
 * The facilities by their names (RFC 5424 table 1, as syslog(3) and logger(1) name them), but `kern` (0):
 * the kernel's alone, which syslog daemons do not take from a program.
 */
export const SYSLOG_FACILITIES = {
  user: 1, mail: 2, daemon: 3, auth: 4, syslog: 5, lpr: 6, news: 7, uucp: 8, cron: 9, authpriv: 10, ftp: 11,
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

/** The severity's number (journald's PRIORITY). */
export function severityCode(severity: SyslogSeverity): number {
  return SEVERITIES[severity];
}

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

/** What a message says besides its text: how grave, of which record, and how its text ended. */
export interface MessageFacts {
  severity: SyslogSeverity;
  /** `out`, `err`, or the meta record's event (`start`, `end`, `skip`, ...). */
  msgid: string;
  /** `out`, `err` or `meta`. */
  stream: string;
  /** `line`: the text is a whole line; `cont`: continued in the next message; `partial`: the stream ended without a newline. */
  ending: 'line' | 'cont' | 'partial';
  /** RFC 3339, when the message was made. */
  time: string;
}

/** Where and as what a run's records go (`--syslog-facility`, `--syslog-tag`), and whose they are. */
export interface MessageIdentity {
  facility: SyslogFacility;
  tag: string;
  job: string;
  run: string;
  host: string;
  pid: number;
}

/** How a record becomes a datagram: `head(facts)`, the record's text, then `tail`, with at most `pieceBytes` of text each. */
export interface MessageFormat {
  head(facts: MessageFacts): string;
  readonly tail: Buffer;
  readonly pieceBytes: number;
}

/** How a message's text ended, as the JSON records' `cont` and `eol` say it. */
export const ENDING_PARAMS: Record<MessageFacts['ending'], readonly (readonly [string, string])[]> = { line: [], cont: [['cont', 'true']], partial: [['eol', 'false']] };

/** RFC 5424 to a syslog socket (/dev/log): the structured data names the job, the run and the stream. */
export function rfc5424Format(identity: MessageIdentity): MessageFormat {
  const { facility, tag, job, run, host, pid } = identity;
  return {
    head: ({ severity, msgid, stream, ending, time }) =>
      syslogHead({ facility, severity, time, host, app: tag, procid: pid, msgid, structuredData: sdElement(SD_ID, [['job', job], ['run', run], ['stream', stream], ...ENDING_PARAMS[ending]]) }),
    tail: Buffer.alloc(0),
    pieceBytes: SYSLOG_TEXT_BYTES,
  };
}
