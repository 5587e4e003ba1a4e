import { isUtf8 } from 'node:buffer';
import type { RecordBatch } from '../output/record-batch.js';

/** Which of the command's streams a record holds. */
export type StreamTag = 'out' | 'err';

/**
 * How a record's text ended: `line` at a newline; `cont` is a piece of a line too long for one record,
 * continued by the next record of the stream; `partial` is text with no newline at the end of the stream.
 */
export type LineKind = 'line' | 'cont' | 'partial';

/** Records about the run rather than its output: header, footer, and notes in between. */
export type MetaEvent = 'start' | 'end' | 'wait' | 'skip' | 'retry' | 'config';

/** The fields of a run's header or footer record. */
export type MetaFields = Record<string, string | number | boolean | null | readonly string[]>;

export interface StreamEncoder {
  /** Appends the record holding `data[start, end)` to the batch. */
  put(batch: RecordBatch, stamp: string, kind: LineKind, data: Buffer, start: number, end: number): void;
}

export interface RecordFormat {
  stream(tag: StreamTag): StreamEncoder;
  /** The header (`start`) or footer (`end`) record of a run. */
  meta(stamp: string, event: MetaEvent, fields: MetaFields): Buffer;
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

  put(batch: RecordBatch, stamp: string, kind: LineKind, data: Buffer, start: number, end: number): void {
    // One stamp serves a whole read, so the heads are built once per read, not once per line.
    if (stamp !== this.stamp || !this.heads) {
      this.stamp = stamp;
      const head = (flag: string) => Buffer.from(`${stamp} ${this.tag}${flag} `);
      this.heads = { line: head(TEXT_FLAGS.line), cont: head(TEXT_FLAGS.cont), partial: head(TEXT_FLAGS.partial) };
    }
    batch.put(this.heads[kind], data, start, end, TEXT_TAILS[kind]);
  }
}

function metaValue(value: MetaFields[string]): string {
  if (Array.isArray(value)) return JSON.stringify(value);
  const text = String(value);
  return /^[\w.\/:@%+,=-]+$/.test(text) ? text : JSON.stringify(text);
}

export const textFormat: RecordFormat = {
  stream: (tag) => new TextStreamEncoder(tag),
  meta(stamp, event, fields) {
    const pairs = Object.entries(fields).map(([key, value]) => `${key}=${metaValue(value)}`);
    return Buffer.from(`${stamp} === ${event} ${pairs.join(' ')}\n`);
  },
};

class JsonStreamEncoder implements StreamEncoder {
  private readonly head: string;
  private stamp = '';
  private stampJson = '""';

  constructor(
    tag: StreamTag,
    private readonly context: string,
  ) {
    this.head = `,"stream":"${tag}","line":`;
  }

  put(batch: RecordBatch, stamp: string, kind: LineKind, data: Buffer, start: number, end: number): void {
    if (stamp !== this.stamp) {
      this.stamp = stamp;
      this.stampJson = JSON.stringify(stamp);
    }
    const bytes = data.subarray(start, end);
    // Text that is not UTF-8 is shown with replacement characters and kept exactly in `b64`.
    const exact = isUtf8(bytes) ? '' : `,"b64":"${bytes.toString('base64')}"`;
    const ending = kind === 'cont' ? ',"cont":true' : kind === 'partial' ? ',"eol":false' : '';
    const record = `{"ts":${this.stampJson}${this.head}${JSON.stringify(bytes.toString('utf8'))}${exact}${ending}${this.context}}\n`;
    batch.putRecord(Buffer.from(record));
  }
}

/** The version of the JSON record schema (README, "JSON log schema"); bumped only for incompatible changes. */
const JSON_SCHEMA_VERSION = 1;

/** JSON lines: `{"ts","stream","line","job","run","host","v"}`, plus `b64`, `cont` or `eol` when needed. */
export function jsonFormat(context: RecordContext): RecordFormat {
  const contextText = `,"job":${JSON.stringify(context.job)},"run":${JSON.stringify(context.run)},"host":${JSON.stringify(context.host)},"v":${JSON_SCHEMA_VERSION}`;
  return {
    stream: (tag) => new JsonStreamEncoder(tag, contextText),
    meta(stamp, event, fields) {
      return Buffer.from(`${JSON.stringify({ ts: stamp, stream: 'meta', event, ...context, ...fields, v: JSON_SCHEMA_VERSION })}\n`);
    },
  };
}
