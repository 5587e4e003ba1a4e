import { SyslogRelay, type RelayReport } from '../output/syslog-relay.js';
import { metaText, type LineKind, type MetaEvent, type MetaRecords, type RecordCopy, type StreamTag } from './record-format.js';
import { pieceEnd, SD_ID, sdElement, SYSLOG_TEXT_BYTES, syslogHead, type SyslogFacility, type SyslogSeverity } from './syslog-message.js';

/** The settings of --syslog (config/options.ts rows). */
export interface SyslogSettings {
  syslog: boolean;
  syslogFacility: SyslogFacility;
  syslogTag: string;
  syslogSocket: string;
}

/** Whose records they are. */
export interface SyslogRun {
  job: string;
  run: string;
  host: string;
  pid: number;
}

/** Where and as what a run's records go to syslog (`--syslog-facility`, `--syslog-tag`). */
interface SyslogIdentity extends SyslogRun {
  facility: SyslogFacility;
  tag: string;
}

/** The run's copy of its records to syslog when --syslog is on (starting its relay), else undefined. */
export function syslogCopy(settings: SyslogSettings, run: SyslogRun, now: () => number): SyslogCopy | undefined {
  if (!settings.syslog) return undefined;
  return new SyslogCopy({ ...run, facility: settings.syslogFacility, tag: settings.syslogTag }, settings.syslogSocket, now);
}

/** stdout is the job's normal output; stderr its diagnostics, often progress rather than problems: notice, one above. */
const LINE_SEVERITY: Record<StreamTag, SyslogSeverity> = { out: 'info', err: 'notice' };
const META_SEVERITY: Partial<Record<MetaEvent, SyslogSeverity>> = { skip: 'notice', config: 'warning', signal: 'notice', retry: 'notice' };

/** How a message's text ended, in its structured data: like the JSON records' `cont` and `eol`. */
type PieceKind = LineKind;
const PIECE_PARAMS: Record<PieceKind, readonly (readonly [string, string])[]> = { line: [], cont: [['cont', 'true']], partial: [['eol', 'false']] };

const FRAME_BATCH_BYTES = 256 * 1024;
/** At the run's end: how long the relay has to say what it sent, and then to send the end record and exit. */
const REPORT_WAIT_MS = 1000;
const CLOSE_WAIT_MS = 500;

/** Framed messages for the relay (a 4-byte length, then the message), collected per read and handed on in one write. */
class FrameBatch {
  private buffer = Buffer.allocUnsafe(FRAME_BATCH_BYTES);
  private used = 0;
  private count = 0;

  constructor(private readonly relay: SyslogRelay) {}

  put(head: Buffer, data: Buffer, start: number, end: number): void {
    const size = 4 + head.length + (end - start);
    if (this.used + size > this.buffer.length) {
      this.flush();
      if (size > this.buffer.length) this.buffer = Buffer.allocUnsafe(size);
    }
    this.buffer.writeUInt32BE(size - 4, this.used);
    let at = this.used + 4;
    at += head.copy(this.buffer, at);
    at += data.copy(this.buffer, at, start, end);
    this.used = at;
    this.count++;
  }

  flush(): void {
    if (this.count === 0) return;
    // A copy: the relay's pipe keeps it until written, and this buffer is filled again at once.
    this.relay.send(Buffer.from(this.buffer.subarray(0, this.used)), this.count);
    this.used = 0;
    this.count = 0;
  }
}

/**
 * Every record of a run as RFC 5424 messages to syslog: a line per message (longer lines in pieces of
 * SYSLOG_TEXT_BYTES, cut between characters, marked `cont="true"`), the meta records as their text, each
 * with structured data naming the job, the run and the stream. The headers of a stream are built once per
 * millisecond, not per line.
 */
export class SyslogCopy implements RecordCopy {
  private readonly batch: FrameBatch;
  private time = '';
  private timeMs = Number.NaN;
  private readonly heads = new Map<string, Buffer>();
  private endSeverity: SyslogSeverity | undefined;

  private readonly relay: SyslogRelay;

  /** Starts the relay to `socket` (`--syslog-socket`); `now` gives the messages' time. */
  constructor(
    private readonly identity: SyslogIdentity,
    private readonly socket: string,
    private readonly now: () => number,
  ) {
    this.relay = new SyslogRelay(socket);
    this.batch = new FrameBatch(this.relay);
  }

  line(tag: StreamTag, kind: LineKind, data: Buffer, start: number, end: number): void {
    this.tick();
    for (;;) {
      const cut = pieceEnd(data, start, end, SYSLOG_TEXT_BYTES);
      const last = cut === end;
      this.batch.put(this.head(tag, last ? kind : 'cont'), data, start, cut);
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
    const head = Buffer.from(this.headText(severity, event, 'meta', []));
    const text = Buffer.from(metaText(event, fields));
    this.batch.put(head, text, 0, text.length);
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

  private head(tag: StreamTag, kind: PieceKind): Buffer {
    const key = `${tag}${kind}`;
    let head = this.heads.get(key);
    if (!head) {
      head = Buffer.from(this.headText(LINE_SEVERITY[tag], tag, tag, PIECE_PARAMS[kind]));
      this.heads.set(key, head);
    }
    return head;
  }

  private headText(severity: SyslogSeverity, msgid: string, stream: string, more: readonly (readonly [string, string])[]): string {
    const { facility, tag, job, run, host, pid } = this.identity;
    const structuredData = sdElement(SD_ID, [['job', job], ['run', run], ['stream', stream], ...more]);
    return syslogHead({ facility, severity, time: this.time, host, app: tag, procid: pid, msgid, structuredData });
  }
}

/** `3 of 120 records not sent to /dev/log (...)`, or undefined when the relay sent them all. */
export function relayProblem(report: RelayReport, socket: string, waitedMs: number): string | undefined {
  const { handed, dropped, sent, failed, error } = report;
  const total = handed + dropped;
  const reasons = [
    dropped > 0 ? `${dropped} dropped: the relay to syslog fell behind` : undefined,
    sent === undefined && handed > 0 ? `${handed} unconfirmed: no answer from syslog within ${waitedMs} ms` : undefined,
    error ? `${failed ?? 'some'} failed: ${error}` : undefined,
  ].filter((reason) => reason !== undefined);
  const notSent = dropped + (sent === undefined ? handed : handed - sent);
  if (notSent === 0 && !error) return undefined;
  return `${sent === undefined ? `up to ${notSent}` : notSent} of ${total} records not sent to ${socket} (${reasons.join('; ')})`;
}
