/**
 * Collects whole records in one reusable buffer and hands them on in one piece, so each flush is one
 * write(2) of complete records: never a torn line, and one system call per read instead of per line.
 * The buffer handed to `deliver` is reused after it returns: a sink that keeps bytes must copy them.
 */
export class RecordBatch {
  private buffer: Buffer;
  private used = 0;

  constructor(
    private readonly deliver: (records: Buffer) => void,
    private readonly capacity = 256 * 1024,
  ) {
    this.buffer = Buffer.allocUnsafe(capacity);
  }

  /** Appends `head`, `data[start, end)` and `tail` as one record. */
  put(head: Buffer, data: Buffer, start: number, end: number, tail: Buffer): void {
    const size = head.length + (end - start) + tail.length;
    if (this.used + size > this.buffer.length) {
      this.flush();
      if (size > this.buffer.length) this.buffer = Buffer.allocUnsafe(Math.max(size, this.capacity));
    }
    const buffer = this.buffer;
    let at = this.used;
    at += head.copy(buffer, at);
    at += data.copy(buffer, at, start, end);
    at += tail.copy(buffer, at);
    this.used = at;
  }

  /** Appends a record that is already encoded. */
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

const EMPTY = Buffer.alloc(0);
