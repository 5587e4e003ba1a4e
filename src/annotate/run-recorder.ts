import type { Io } from '../io.js';
import { LineAnnotator, type StreamCounts } from './line-annotator.js';
import type { MetaEvent, MetaRecords, RecordFormat, StreamTag } from './record-format.js';
import type { ReadStamp, Stamper } from './timestamp.js';
import type { ConsoleOutput, LiveResult } from '../output/console.js';
import type { LogFile, LogResult } from '../output/log-file.js';
import { RecordBatch } from '../output/record-batch.js';
import { HeadLines, TailBytes, TailLines } from '../output/excerpt.js';

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
 * Everything one run writes: annotated records go to the log, the console (when shown) and the tail kept
 * for the report; header and footer records go to the log only.
 */
export class RunRecorder {
  readonly head = new HeadLines();
  readonly tail = new TailLines();
  private lastBytes: TailBytes | undefined;
  private readonly batch: RecordBatch;
  private readonly annotators = new Map<StreamTag, LineAnnotator>();

  constructor(private readonly parts: RecorderParts) {
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
    return this.parts.stamper.stamp(this.parts.io.now(), this.parts.io.mono());
  }

  private note(): string {
    return this.parts.stamper.note(this.parts.io.now(), this.parts.io.mono());
  }

  /** Annotates one read of a stream and hands the records on at once, so the log is always current. */
  push(tag: StreamTag, chunk: Buffer): void {
    let annotator = this.annotators.get(tag);
    if (!annotator) {
      annotator = new LineAnnotator(this.parts.format.stream(tag), this.batch);
      this.annotators.set(tag, annotator);
    }
    annotator.push(chunk, this.stamp());
    this.batch.flush();
  }

  /** One stream ended: its unfinished last line is written now, stamped with the time it ended. */
  endStream(tag: StreamTag): void {
    this.annotators.get(tag)?.end(this.stamp());
    this.batch.flush();
  }

  /** Writes out any unfinished last lines (of streams cut off rather than ended). */
  endStreams(): void {
    const stamp = this.stamp();
    for (const annotator of this.annotators.values()) annotator.end(stamp);
    this.batch.flush();
  }

  counts(tag: StreamTag): StreamCounts {
    return this.annotators.get(tag)?.counts ?? { lines: 0, bytes: 0, notText: 0 };
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
