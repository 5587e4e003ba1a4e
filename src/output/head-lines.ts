/** Keeps the first `count` records that went by (cut to `maxRecordBytes`), for alerts that show both ends. */
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
      const line = records.subarray(start, Math.min(end, start + this.maxRecordBytes)).toString('utf8');
      this.kept.push(end - start > this.maxRecordBytes ? `${line} [cut]` : line);
      start = end + 1;
    }
  }

  lines(): string[] {
    return [...this.kept];
  }
}
