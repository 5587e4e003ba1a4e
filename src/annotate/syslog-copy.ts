import { SyslogRelay, type RelayReport } from '../output/syslog-relay.js';
import { metaText, type LineKind, type MetaEvent, type MetaRecords, type RecordCopy, type StreamTag } from './record-format.js';
import { journalFormat } from './journal-message.js';
import { pieceEnd, rfc5424Format, type MessageFormat, type MessageIdentity, type SyslogFacility, type SyslogSeverity } from './syslog-message.js';

/** Where the records go: a syslog socket (RFC 5424) or journald's native socket (fields). */
export const SYSLOG_TARGETS = ['syslog', 'journald'] as const;
export type SyslogTarget = (typeof SYSLOG_TARGETS)[number];

/** The settings of --syslog (config/options.ts rows). */
export interface SyslogSettings {
  syslog: boolean;
  syslogTo: SyslogTarget;
  syslogFacility: SyslogFacility;
  syslogTag: string;
  syslogSocket: string | undefined;
}

/** Each target's socket, and how a record becomes a message for it. */
const TARGETS: Record<SyslogTarget, { socket: string; format: (identity: MessageIdentity) => MessageFormat }> = {
  syslog: { socket: '/dev/log', format: rfc5424Format },
  journald: { socket: '/run/systemd/journal/socket', format: journalFormat },
};

/** The run's copy of its records to syslog when --syslog is on (starting its relay), else undefined. */
export function syslogCopy(settings: SyslogSettings, run: Omit<MessageIdentity, 'facility' | 'tag'>, now: () => number): SyslogCopy | undefined {
  if (!settings.syslog) return undefined;
  const target = TARGETS[settings.syslogTo];
  return new SyslogCopy(target.format({ ...run, facility: settings.syslogFacility, tag: settings.syslogTag }), settings.syslogSocket ?? target.socket, now);
}

/** stdout is the job's normal output; stderr its diagnostics, often progress rather than problems: notice, one above. */
const LINE_SEVERITY: Record<StreamTag, SyslogSeverity> = { out: 'info', err: 'notice' };
const META_SEVERITY: Partial<Record<MetaEvent, SyslogSeverity>> = { skip: 'notice', config: 'warning', signal: 'notice', retry: 'notice' };

const FRAME_BATCH_BYTES = 256 * 1024;
/** At the run's end: how long the relay has to say what it sent, and then to send the end record and exit. */
const REPORT_WAIT_MS = 1000;
const CLOSE_WAIT_MS = 500;

/** Framed messages for the relay (a 4-byte length, then the message), collected per read and handed on in one write. */
class FrameBatch {
  private buffer = Buffer.allocUnsafe(FRAME_BATCH_BYTES);
  private used = 0;
  private count = 0;
  private dropping = false;

  constructor(private readonly relay: SyslogRelay) {}

  put(head: Buffer, data: Buffer, start: number, end: number, tail: Buffer): void {
    // Whether the relay can take more is asked once per batch (a read's lines): the event loop drains it between reads.
    if (this.count === 0) this.dropping = this.relay.full;
    const size = 4 + head.length + (end - start) + tail.length;
    if (!this.dropping && this.used + size > this.buffer.length) {
      this.flush();
      if (size > this.buffer.length) this.buffer = Buffer.allocUnsafe(size);
    }
    this.count++;
    // The relay is behind: the rest of this read is counted as dropped, not framed to be thrown away.
    if (this.dropping) return;
    this.buffer.writeUInt32BE(size - 4, this.used);
    let at = this.used + 4;
    at += head.copy(this.buffer, at);
    at += data.copy(this.buffer, at, start, end);
    at += tail.copy(this.buffer, at);
    this.used = at;
  }

  flush(): void {
    if (this.count === 0) return;
    // A copy: the relay's pipe keeps it until written, and this buffer is filled again at once.
    if (this.dropping) this.relay.drop(this.count);
    else this.relay.send(Buffer.from(this.buffer.subarray(0, this.used)), this.count);
    this.used = 0;
    this.count = 0;
  }
}

/**
 * Every record of a run as a message to syslog (or journald): a line per message (longer lines in pieces
 * of the format's size, cut between characters, marked as continued), the meta records as their text,
 * each naming the job, the run and the stream. A stream's headers are built once per millisecond, not per line.
 */
export class SyslogCopy implements RecordCopy {
  private readonly relay: SyslogRelay;
  private readonly batch: FrameBatch;
  private time = '';
  private timeMs = Number.NaN;
  private readonly heads = new Map<string, Buffer>();
  private endSeverity: SyslogSeverity | undefined;

  /** Starts the relay to `socket`; `now` gives the messages' time. */
  constructor(
    private readonly format: MessageFormat,
    private readonly socket: string,
    private readonly now: () => number,
  ) {
    this.relay = new SyslogRelay(socket);
    this.batch = new FrameBatch(this.relay);
  }

  line(tag: StreamTag, kind: LineKind, data: Buffer, start: number, end: number): void {
    this.tick();
    for (;;) {
      const cut = pieceEnd(data, start, end, this.format.pieceBytes);
      const last = cut === end;
      this.batch.put(this.head(tag, last ? kind : 'cont'), data, start, cut, this.format.tail);
      if (last) return;
      start = cut;
    }
  }

  /** The severity of the run's end record: set from the verdict once it is known (else by its exit status). */
  endsWith(severity: SyslogSeverity): void {
    this.endSeverity = severity;
  }

  meta<E extends MetaEvent>(event: E, fields: MetaRecords[E]): void {
    this.tick();
    const severity = event === 'end' ? (this.endSeverity ?? ('exit' in fields && fields.exit !== 0 ? 'err' : 'info')) : (META_SEVERITY[event] ?? 'info');
    const head = Buffer.from(this.format.head({ severity, msgid: event, stream: 'meta', ending: 'line', time: this.time }));
    const text = Buffer.from(metaText(event, fields));
    this.batch.put(head, text, 0, text.length, this.format.tail);
    this.batch.flush();
  }

  flush(): void {
    this.batch.flush();
  }

  /** Whether messages wait in the relay's pipe (filter mode then lets the event loop drain it). */
  get lagging(): boolean {
    return this.relay.lagging;
  }

  /** What kept records from syslog, in words, or undefined when every one was sent; waits at most a second. */
  async problem(): Promise<string | undefined> {
    this.batch.flush();
    return relayProblem(await this.relay.report(REPORT_WAIT_MS), this.socket, REPORT_WAIT_MS);
  }

  /** Sends what is left (the end record) and ends the relay within half a second, whatever syslog does. */
  async close(): Promise<void> {
    this.batch.flush();
    await this.relay.close(CLOSE_WAIT_MS);
  }

  private tick(): void {
    const ms = this.now();
    if (ms === this.timeMs) return;
    this.timeMs = ms;
    this.time = new Date(ms).toISOString();
    this.heads.clear();
  }

  private head(tag: StreamTag, ending: LineKind): Buffer {
    const key = `${tag}${ending}`;
    let head = this.heads.get(key);
    if (!head) {
      head = Buffer.from(this.format.head({ severity: LINE_SEVERITY[tag], msgid: tag, stream: tag, ending, time: this.time }));
      this.heads.set(key, head);
    }
    return head;
  }
}

/** `3 of 120 records not sent to /dev/log (...)`, or undefined when the relay sent them all. */
export function relayProblem(report: RelayReport, socket: string, waitedMs: number): string | undefined {
  const { handed, dropped, sent, failed, error, ended } = report;
  const total = handed + dropped;
  const reasons = [
    dropped > 0 ? `${dropped} dropped: ${ended ? 'the relay to syslog had ended' : 'the relay to syslog fell behind'}` : undefined,
    sent === undefined && handed > 0 ? `${handed} unconfirmed: ${ended ? 'the relay ended' : `no answer from syslog within ${waitedMs} ms`}` : undefined,
    error ? (failed === undefined ? `relay: ${error}` : `${failed} failed: ${error}`) : undefined,
  ].filter((reason) => reason !== undefined);
  const notSent = dropped + (sent === undefined ? handed : handed - sent);
  if (notSent === 0 && !error) return undefined;
  return `${sent === undefined ? `up to ${notSent}` : notSent} of ${total} records not sent to ${socket} (${reasons.join('; ')})`;
}
