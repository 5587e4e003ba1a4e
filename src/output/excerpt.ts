import { escapeControl } from '../util/format.js';

/** Where a text record's payload starts: after its stream mark, `out| ` or the like (annotate/record-format.ts). */
const STREAM_MARK = / (?:out|err)[|+!] /;
const CR = 0x0d;

/** `at`, moved forward past UTF-8 continuation bytes: never half a character. */
function charStart(bytes: Buffer, at: number): number {
  let i = at;
  while (i < bytes.length && (bytes[i]! & 0xc0) === 0x80) i++;
  return i;
}

/**
 * A line rewritten in place with CR as a terminal would leave it: the record's stamp, then each rewrite
 * written over the one before from the line's start. A progress bar (`10%\r50%\r100%`) shows `100%`; text
 * a shorter rewrite did not cover still shows (`FATAL: disk full\rOK` is `OKTAL: disk full`), so output
 * cannot hide a line from an alert. A CR that ends the line (CRLF) is dropped. The log keeps every byte.
 */
function asTerminalLeavesIt(record: Buffer): Buffer {
  let end = record.length;
  while (end > 0 && record[end - 1] === CR) end--;
  if (end === record.length && record.indexOf(CR) === -1) return record;
  const mark = STREAM_MARK.exec(record.subarray(0, 200).toString('latin1'));
  const payload = mark ? mark.index + mark[0].length : 0;
  let shown = Buffer.alloc(0);
  let start = payload;
  while (start <= end) {
    const cr = record.indexOf(CR, start);
    const stop = cr === -1 || cr > end ? end : cr;
    const rewrite = record.subarray(start, stop);
    shown = Buffer.concat([rewrite, shown.subarray(charStart(shown, rewrite.length))]);
    start = stop + 1;
  }
  return Buffer.concat([record.subarray(0, payload), shown]);
}

/**
 * A record as text for an alert or report (mail, PagerDuty, webhooks, cron's mail): a line rewritten with
 * CR shown as a terminal would leave it, cut to `maxBytes` before decoding (a 1 MB line is never decoded whole),
 * control characters escaped. The log keeps the bytes.
 */
function clip(record: Buffer, maxBytes: number): string {
  const shown = asTerminalLeavesIt(record);
  const text = escapeControl(shown.subarray(0, maxBytes).toString('utf8'));
  return shown.length > maxBytes ? `${text} [cut]` : text;
}

/** Keeps the first `count` records that went by, for alerts that show both ends. */
export class HeadLines {
  private readonly kept: string[] = [];

  constructor(
    private readonly count = 20,
    private readonly maxRecordBytes = 2048,
  ) {}

  /** Takes note of a batch of whole records (each ends with a newline); free once full. */
  add(records: Buffer): void {
    let start = 0;
    while (this.kept.length < this.count && start < records.length) {
      const end = records.indexOf(0x0a, start);
      this.kept.push(clip(records.subarray(start, end), this.maxRecordBytes));
      start = end + 1;
    }
  }

  lines(): string[] {
    return [...this.kept];
  }
}

/**
 * Keeps the last `count` records that went by, for the failure report. Only the end of each batch is
 * copied, and records are cut to `maxRecordBytes`, so memory stays small whatever the output.
 */
export class TailLines {
  private pieces: Buffer[] = [];
  private linesHeld = 0;

  constructor(
    private readonly count = 20,
    private readonly maxRecordBytes = 2048,
  ) {}

  /** Takes note of a batch of whole records (each ends with a newline). */
  add(records: Buffer): void {
    let start = records.length - 1;
    let lines = 0;
    while (lines < this.count && start > 0) {
      const previous = records.lastIndexOf(0x0a, start - 1);
      lines++;
      start = previous;
      if (previous === -1) break;
    }
    const from = start < 0 ? 0 : start + 1;
    this.pieces.push(Buffer.from(records.subarray(from)));
    this.linesHeld += lines;
    while (this.pieces.length > 1 && this.linesHeld - countNewlines(this.pieces[0]!) >= this.count) {
      this.linesHeld -= countNewlines(this.pieces.shift()!);
    }
  }

  /** The last records, oldest first, each cut to the size limit. */
  lines(): string[] {
    const all = Buffer.concat(this.pieces);
    const lines: string[] = [];
    for (let start = 0, end = all.indexOf(0x0a); end !== -1; start = end + 1, end = all.indexOf(0x0a, start)) {
      lines.push(clip(all.subarray(start, end), this.maxRecordBytes));
    }
    return lines.slice(-this.count);
  }
}

function countNewlines(buffer: Buffer): number {
  let n = 0;
  for (let at = buffer.indexOf(0x0a); at !== -1; at = buffer.indexOf(0x0a, at + 1)) n++;
  return n;
}

/** Keeps the last `maxBytes` of the records that went by, for a ping's body (healthchecks keeps 100 kB). */
export class TailBytes {
  private pieces: Buffer[] = [];
  private held = 0;

  constructor(private readonly maxBytes: number) {}

  /** Takes note of a batch of records; only its last `maxBytes` are copied. */
  add(records: Buffer): void {
    const piece = Buffer.from(records.subarray(Math.max(0, records.length - this.maxBytes)));
    this.pieces.push(piece);
    this.held += piece.length;
    while (this.held - this.pieces[0]!.length >= this.maxBytes) this.held -= this.pieces.shift()!.length;
  }

  /** The last `maxBytes` (fewer when less went by); the first record may be cut. */
  bytes(): Buffer {
    const all = Buffer.concat(this.pieces);
    return all.subarray(Math.max(0, all.length - this.maxBytes));
  }
}
