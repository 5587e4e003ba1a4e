import type { Io } from '../io.js';
import type { LineKind, MetaEvent, MetaRecords, RecordFormat, RecordSink, StreamEncoder, StreamTag } from './record-format.js';
import type { ReadStamp, Stamper } from './timestamp.js';
import type { ConsoleOutput, LiveResult } from '../output/console.js';
import type { LogFile, LogResult } from '../output/log-file.js';
import { HeadLines, TailBytes, TailLines } from '../output/excerpt.js';
import { NotTextCounter } from '../util/not-text.js';
import { readClocks } from '../util/monotonic.js';

/** Lines longer than this are split into pieces of this size, each marked as continued. */
export const MAX_RECORD_TEXT = 64 * 1024;

const NEWLINE = 0x0a;
const EMPTY = Buffer.alloc(0);
/** A batch holds this much before it is handed on within a read (a record longer than that gets a buffer of its own). */
const BATCH_BYTES = 256 * 1024;

/** Bytes and lines seen on one stream. */
export interface StreamCounts {
  lines: number;
  bytes: number;
  /** Bytes that are not text: NUL, or no part of valid UTF-8 (alerts show them as U+FFFD or \x00). */
  notText: number;
}

/** What a run wrote, as the recorder counted it. */
export interface OutputFacts {
  out: StreamCounts;
  err: StreamCounts;
  /** The first and last records, cut for alerts and reports. */
  head: string[];
  tail: string[];
  log: LogResult;
  /** The output printed live on stdout (--tee, a terminal), when it was and stdout failed. */
  live?: LiveResult;
}

export interface RecorderParts {
  io: Io;
  format: RecordFormat;
  stamper: Stamper;
  log: LogFile | undefined;
  console: ConsoleOutput | undefined;
}

/**
 * Collects whole records in one reusable buffer and hands them on in one piece, so each flush is one
 * write(2) of complete records: never a torn line, and one system call per read instead of per line.
 * The buffer handed to `deliver` is reused after it returns: a sink that keeps bytes must copy them.
 */
class RecordBatch implements RecordSink {
  private buffer: Buffer;
  private used = 0;

  constructor(private readonly deliver: (records: Buffer) => void) {
    this.buffer = Buffer.allocUnsafe(BATCH_BYTES);
  }

  put(head: Buffer, data: Buffer, start: number, end: number, tail: Buffer): void {
    const size = head.length + (end - start) + tail.length;
    if (this.used + size > this.buffer.length) {
      this.flush();
      if (size > this.buffer.length) this.buffer = Buffer.allocUnsafe(Math.max(size, BATCH_BYTES));
    }
    const buffer = this.buffer;
    let at = this.used;
    at += head.copy(buffer, at);
    at += data.copy(buffer, at, start, end);
    at += tail.copy(buffer, at);
    this.used = at;
  }

  putRecord(record: Buffer): void {
    this.put(record, record, 0, 0, EMPTY);
  }

  /** Hands the collected records on. */
  flush(): void {
    if (this.used === 0) return;
    const records = this.buffer.subarray(0, this.used);
    this.used = 0;
    this.deliver(records);
  }
}

/**
 * Cuts one stream's bytes into lines and puts a record per line into the batch. Works on Buffers:
 * `indexOf` finds newlines, one stamp serves a whole read, and only an unfinished last line is copied.
 */
class StreamLines {
  readonly counts: StreamCounts = { lines: 0, bytes: 0, notText: 0 };
  private carry: Buffer | undefined;
  private readonly text = new NotTextCounter();

  constructor(
    private readonly encoder: StreamEncoder,
    private readonly batch: RecordBatch,
  ) {}

  /** Splits one read. `chunk` may be reused by the caller once this returns. */
  push(chunk: Buffer, stamp: ReadStamp): void {
    this.counts.bytes += chunk.length;
    this.counts.notText += this.text.push(chunk);
    let text = stamp.first;
    let start = 0;
    if (this.carry) {
      const end = chunk.indexOf(NEWLINE);
      if (end === -1) {
        this.keep(Buffer.concat([this.carry, chunk]), stamp.first);
        return;
      }
      const joined = Buffer.concat([this.carry, chunk.subarray(0, end)]);
      this.carry = undefined;
      this.emitLine(joined, 0, joined.length, text);
      text = stamp.rest;
      start = end + 1;
    }
    const length = chunk.length;
    while (start < length) {
      const end = chunk.indexOf(NEWLINE, start);
      if (end === -1) {
        this.keep(chunk.subarray(start), text);
        return;
      }
      this.emitLine(chunk, start, end, text);
      text = stamp.rest;
      start = end + 1;
    }
  }

  /** The stream ended: an unfinished last line is written with the no-newline mark. */
  end(stamp: ReadStamp): void {
    this.counts.notText += this.text.end();
    if (!this.carry) return;
    const rest = this.carry;
    this.carry = undefined;
    this.counts.lines++;
    this.put(stamp.first, 'partial', rest, 0, rest.length);
  }

  private emitLine(data: Buffer, start: number, end: number, stamp: string): void {
    this.counts.lines++;
    while (end - start > MAX_RECORD_TEXT) {
      this.put(stamp, 'cont', data, start, start + MAX_RECORD_TEXT);
      start += MAX_RECORD_TEXT;
    }
    this.encoder.put(this.batch, stamp, 'line', data, start, end);
  }

  /** Holds an unfinished line (a copy: the caller reuses its chunk), writing full pieces as it grows. */
  private keep(rest: Buffer, stamp: string): void {
    let start = 0;
    // A full piece is held back until more comes: if the stream ends there, it is the `partial` last record.
    while (rest.length - start > MAX_RECORD_TEXT) {
      this.put(stamp, 'cont', rest, start, start + MAX_RECORD_TEXT);
      start += MAX_RECORD_TEXT;
    }
    this.carry = start === rest.length ? undefined : Buffer.from(rest.subarray(start));
  }

  private put(stamp: string, kind: LineKind, data: Buffer, start: number, end: number): void {
    this.encoder.put(this.batch, stamp, kind, data, start, end);
  }
}

/**
 * Everything one run writes, and the whole of a line's way to the log: each read is cut into lines and
 * annotated, and the records go in one batch to the log, the console (when shown) and the tail kept for
 * the report; header and footer records go to the log only. Supervise hands it every read itself.
 */
export class RunRecorder {
  readonly head = new HeadLines();
  readonly tail = new TailLines();
  private lastBytes: TailBytes | undefined;
  private readonly batch: RecordBatch;
  private readonly streams = new Map<StreamTag, StreamLines>();
  /** The two clocks, read together for each stamp (`readClocks`). */
  private readonly wallNow: () => number;
  private readonly monoNow: () => number;

  constructor(private readonly parts: RecorderParts) {
    this.wallNow = () => parts.io.now();
    this.monoNow = () => parts.io.mono();
    parts.log?.onReopen((reason) => parts.format.meta(this.note(), 'reopened', { reason }));
    this.batch = new RecordBatch((records) => {
      parts.log?.write(records);
      parts.console?.write(records);
      this.head.add(records);
      this.tail.add(records);
      this.lastBytes?.add(records);
    });
  }

  /** From now on keeps the last `maxBytes` of the records too (a ping's body), for the asker to read at the end. */
  keepLastBytes(maxBytes: number): TailBytes {
    this.lastBytes ??= new TailBytes(maxBytes);
    return this.lastBytes;
  }

  private stamp(): ReadStamp {
    const { wallMs, monoMs, tight } = readClocks(this.wallNow, this.monoNow);
    return this.parts.stamper.stamp(wallMs, monoMs, tight);
  }

  private note(): string {
    const { wallMs, monoMs, tight } = readClocks(this.wallNow, this.monoNow);
    return this.parts.stamper.note(wallMs, monoMs, tight);
  }

  /** Annotates one read of a stream and hands the records on at once, so the log is always current. */
  push(tag: StreamTag, chunk: Buffer): void {
    let lines = this.streams.get(tag);
    if (!lines) {
      lines = new StreamLines(this.parts.format.stream(tag), this.batch);
      this.streams.set(tag, lines);
    }
    lines.push(chunk, this.stamp());
    this.batch.flush();
  }

  /** One stream ended: its unfinished last line is written now, stamped with the time it ended. */
  endStream(tag: StreamTag): void {
    this.streams.get(tag)?.end(this.stamp());
    this.batch.flush();
  }

  /** Writes out any unfinished last lines (of streams cut off rather than ended). */
  endStreams(): void {
    const stamp = this.stamp();
    for (const lines of this.streams.values()) lines.end(stamp);
    this.batch.flush();
  }

  counts(tag: StreamTag): StreamCounts {
    return this.streams.get(tag)?.counts ?? { lines: 0, bytes: 0, notText: 0 };
  }

  /** What was written so far: counts per stream, both ends of the output, and what became of the log. */
  facts(): OutputFacts {
    const log = this.parts.log?.result ?? { path: '', bytesNotLogged: 0 };
    const live = this.parts.console?.result;
    return { out: { ...this.counts('out') }, err: { ...this.counts('err') }, head: this.head.lines(), tail: this.tail.lines(), log, ...(live?.failure ? { live } : {}) };
  }

  /** A header, footer or note (wait, skip, retry) record, for the log only. */
  meta<E extends MetaEvent>(event: E, fields: MetaRecords[E]): void {
    this.parts.log?.write(this.parts.format.meta(this.note(), event, fields));
  }
}
