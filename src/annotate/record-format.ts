import { isUtf8 } from 'node:buffer';

/** Which of the command's streams a record holds. */
export type StreamTag = 'out' | 'err';

/**
 * How a record's text ended: `line` at a newline; `cont` is a piece of a line too long for one record,
 * continued by the next record of the stream; `partial` is text with no newline at the end of the stream.
 */
export type LineKind = 'line' | 'cont' | 'partial';

/** A run's footer in wrap mode: the outcome, counts per stream, and what cronwrap's own work after the job met. */
export type RunFooter = {
  job: string;
  run: string;
  exit: number;
  status: string;
  signal: string | null;
  timed_out: boolean;
  attempts: number;
  end: string;
  duration_ms: number;
  /** The time before the command could start (jitter, locks), when there was any: not part of `duration_ms`. */
  waited_ms?: number;
  stdout_lines: number;
  stdout_bytes: number;
  stderr_lines: number;
  stderr_bytes: number;
  /** Bytes of the stream that are not text (NUL, not UTF-8), when there are any. */
  stdout_not_text_bytes?: number;
  stderr_not_text_bytes?: number;
  not_logged_bytes: number;
  not_logged_reason?: string;
  /** Bytes not printed on stdout (--tee, a terminal) once it failed, and why it did. */
  not_shown_bytes?: number;
  not_shown_reason?: string;
  drain_expired?: string;
  left_behind?: string;
  notifications?: string;
  lock_problems?: string;
  /** The run went on silenced (`cronwrap pause --silence`, an Alertmanager silence): which, by whom, until when, why. */
  silenced?: string;
  duration_warning?: string;
  /** How the run counts when that is not what its exit status says: `warning`, or `ok` for an --ok-exit status. */
  verdict?: string;
  /** `--on-failure`: what the heal did, in words. */
  heal?: string;
  /** Earlier runs of the job whose cronwrap died before their end, found by this run. */
  never_ended?: string;
} & { [problem: `${string}_problem`]: string };

/** A run's footer in filter mode. */
export type FilterFooter = {
  job: string;
  run: string;
  exit: number;
  end: string;
  duration_ms: number;
  stdin_lines: number;
  stdin_bytes: number;
  not_logged_bytes: number;
  not_logged_reason?: string;
  read_error?: string;
  /** What kept records from syslog (--syslog), as the syslog stage says it in wrap mode. */
  syslog_problem?: string;
};

/** Records about the run rather than its output, by event: the header, the footer, and notes in between (README, "Records"). */
export interface MetaRecords {
  start: { job: string; run: string; host: string; user: string; pid: number; command: readonly string[]; start: string };
  config: { job: string; problem: string; effect: string };
  wait: { job: string; jitter_ms: number };
  skip: { job: string; reason: string; waited_ms?: number };
  retry: { job: string; attempt: number; after: string; delay_ms: number };
  /** `--on-failure`: the heal command starts after the failure `after`; its output follows. */
  heal: { job: string; after: string; command: string };
  /** cronwrap passed `signal` on to the command's process group `group`. */
  signal: { job: string; signal: string; group: number };
  /** The log's path named another file (rotated) or none (removed): the run goes on in a new file there. */
  reopened: { reason: string };
  end: RunFooter | FilterFooter;
}

export type MetaEvent = keyof MetaRecords;

type MetaValue = string | number | boolean | null | undefined | readonly string[];

/** Where encoded records go (the recorder's batch): whole records, in order. */
export interface RecordSink {
  /** Appends `head`, `data[start, end)` and `tail` as one record. */
  put(head: Buffer, data: Buffer, start: number, end: number, tail: Buffer): void;
  /** Appends a record that is already encoded. */
  putRecord(record: Buffer): void;
}

export interface StreamEncoder {
  /** Appends the record holding `data[start, end)` to the sink. */
  put(sink: RecordSink, stamp: string, kind: LineKind, data: Buffer, start: number, end: number): void;
}

/**
 * A second place every record of a run goes to besides the log (syslog): each line (or piece of one) of a
 * stream, each meta record, and `flush` once per read, after its lines.
 */
export interface RecordCopy {
  line(tag: StreamTag, kind: LineKind, data: Buffer, start: number, end: number): void;
  meta<E extends MetaEvent>(event: E, fields: MetaRecords[E]): void;
  flush(): void;
}

export interface RecordFormat {
  stream(tag: StreamTag): StreamEncoder;
  /** The header (`start`) or footer (`end`) record of a run. */
  meta<E extends MetaEvent>(stamp: string, event: E, fields: MetaRecords[E]): Buffer;
}

/** Who wrote the records: every JSON record carries it. */
export interface RecordContext {
  job: string;
  run: string;
  host: string;
}

/**
 * Text records: `<stamp> <tag><flag> <text>`. The flag after the stream tag says how the text ended:
 * `|` newline, `+` continued in the next record, `!` no newline at end of stream (then ` [no newline]`
 * follows the text). Stripping everything up to the first `out| `-like mark and joining gives back the bytes.
 */
const TEXT_FLAGS: Record<LineKind, string> = { line: '|', cont: '+', partial: '!' };
const NO_NEWLINE_MARKER = ' [no newline]';


const NEWLINE = Buffer.from('\n');
const PARTIAL_TAIL = Buffer.from(`${NO_NEWLINE_MARKER}\n`);
const TEXT_TAILS: Record<LineKind, Buffer> = { line: NEWLINE, cont: NEWLINE, partial: PARTIAL_TAIL };

class TextStreamEncoder implements StreamEncoder {
  private stamp = '';
  private heads: Record<LineKind, Buffer> | undefined;

  constructor(private readonly tag: StreamTag) {}

  put(sink: RecordSink, stamp: string, kind: LineKind, data: Buffer, start: number, end: number): void {
    // One stamp serves a whole read, so the heads are built once per read, not once per line.
    if (stamp !== this.stamp || !this.heads) {
      this.stamp = stamp;
      const head = (flag: string) => Buffer.from(`${stamp} ${this.tag}${flag} `);
      this.heads = { line: head(TEXT_FLAGS.line), cont: head(TEXT_FLAGS.cont), partial: head(TEXT_FLAGS.partial) };
    }
    sink.put(this.heads[kind], data, start, end, TEXT_TAILS[kind]);
  }
}

function metaValue(value: MetaValue): string {
  if (Array.isArray(value)) return JSON.stringify(value);
  const text = String(value);
  return /^[\w.\/:@%+,=-]+$/.test(text) ? text : JSON.stringify(text);
}

/** A meta record's words after its stamp: `=== end job=backup exit=0 ...`. */
export function metaText<E extends MetaEvent>(event: E, fields: MetaRecords[E]): string {
  const pairs = Object.entries(fields).map(([key, value]: [string, MetaValue]) => `${key}=${metaValue(value)}`);
  return `=== ${event} ${pairs.join(' ')}`;
}

export const textFormat: RecordFormat = {
  stream: (tag) => new TextStreamEncoder(tag),
  meta: (stamp, event, fields) => Buffer.from(`${stamp} ${metaText(event, fields)}\n`),
};

/**
 * The opening of a JSON record: `"ts"` is always an absolute RFC 3339 time, which log shippers parse; a
 * `--timestamp` style that is not one (elapsed, epoch, a pattern) goes beside it as `"stamp"`. `time`
 * is undefined when the stamp already is that time (iso, utc).
 */
class JsonStampText {
  private stamp = '';
  private time = '';
  private text = '';

  constructor(private readonly clock: (() => string) | undefined) {}

  of(stamp: string): string {
    const time = this.clock ? this.clock() : stamp;
    if (stamp !== this.stamp || time !== this.time) {
      this.stamp = stamp;
      this.time = time;
      this.text = `{"ts":${JSON.stringify(time)}${this.clock ? `,"stamp":${JSON.stringify(stamp)}` : ''}`;
    }
    return this.text;
  }
}

class JsonStreamEncoder implements StreamEncoder {
  private readonly head: string;
  private readonly opening: JsonStampText;

  constructor(
    tag: StreamTag,
    private readonly context: string,
    clock: (() => string) | undefined,
  ) {
    this.head = `,"stream":"${tag}","line":`;
    this.opening = new JsonStampText(clock);
  }

  put(sink: RecordSink, stamp: string, kind: LineKind, data: Buffer, start: number, end: number): void {
    const bytes = data.subarray(start, end);
    // Text that is not UTF-8 is shown with replacement characters and kept exactly in `b64`.
    const exact = isUtf8(bytes) ? '' : `,"b64":"${bytes.toString('base64')}"`;
    const ending = kind === 'cont' ? ',"cont":true' : kind === 'partial' ? ',"eol":false' : '';
    const record = `${this.opening.of(stamp)}${this.head}${JSON.stringify(bytes.toString('utf8'))}${exact}${ending}${this.context}}\n`;
    sink.putRecord(Buffer.from(record));
  }
}

/** The version of the JSON record schema (README, "JSON log schema"); bumped only for incompatible changes. */
const JSON_SCHEMA_VERSION = 2;

/**
 * JSON lines: `{"ts","stream","line","job","run","host","v"}`, plus `stamp`, `b64`, `cont` or `eol` when
 * needed. `clock` gives the RFC 3339 time for `ts` when the `--timestamp` style is not one itself.
 */
export function jsonFormat(context: RecordContext, clock?: () => string): RecordFormat {
  const contextText = `,"job":${JSON.stringify(context.job)},"run":${JSON.stringify(context.run)},"host":${JSON.stringify(context.host)},"v":${JSON_SCHEMA_VERSION}`;
  return {
    stream: (tag) => new JsonStreamEncoder(tag, contextText, clock),
    meta(stamp, event, fields) {
      const times = clock ? { ts: clock(), stamp } : { ts: stamp };
      return Buffer.from(`${JSON.stringify({ ...times, stream: 'meta', event, ...context, ...fields, v: JSON_SCHEMA_VERSION })}\n`);
    },
  };
}
