import type { ReadStamp } from './timestamp.js';
import type { LineKind, StreamEncoder } from './record-format.js';
import type { RecordBatch } from '../output/record-batch.js';
import { NotTextCounter } from '../util/not-text.js';

/** Lines longer than this are split into pieces of this size, each marked as continued. */
export const MAX_RECORD_TEXT = 64 * 1024;

const NEWLINE = 0x0a;

/** Bytes and lines seen on one stream. */
export interface StreamCounts {
  lines: number;
  bytes: number;
  /** Bytes that are not text: NUL, or no part of valid UTF-8 (alerts show them as U+FFFD or \x00). */
  notText: number;
}

/**
 * Cuts one stream's bytes into lines and appends a record per line to the batch. Works on Buffers:
 * `indexOf` finds newlines, one stamp serves a whole read, and only an unfinished last line is copied.
 */
export class LineAnnotator {
  readonly counts: StreamCounts = { lines: 0, bytes: 0, notText: 0 };
  private carry: Buffer | undefined;
  private readonly text = new NotTextCounter();

  constructor(
    private readonly encoder: StreamEncoder,
    private readonly batch: RecordBatch,
  ) {}

  /** Annotates one read. `chunk` may be reused by the caller once this returns. */
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
