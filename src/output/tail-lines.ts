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
    const text = Buffer.concat(this.pieces).toString('utf8');
    const all = text.split('\n');
    all.pop();
    return all.slice(-this.count).map((line) => (line.length > this.maxRecordBytes ? `${line.slice(0, this.maxRecordBytes)} [cut]` : line));
  }
}

function countNewlines(buffer: Buffer): number {
  let n = 0;
  for (let at = buffer.indexOf(0x0a); at !== -1; at = buffer.indexOf(0x0a, at + 1)) n++;
  return n;
}
