import type { Writer } from '../util/fd.js';

/** Prints records on stdout until it fails; a closed pipe (EPIPE) stops printing, not the job. */
export class ConsoleOutput {
  private open = true;

  constructor(private readonly out: Writer) {}

  get active(): boolean {
    return this.open;
  }

  write(records: Buffer): void {
    if (!this.open) return;
    try {
      this.out.write(records);
    } catch {
      this.open = false;
    }
  }
}

/** Writes text, and says nothing if it cannot: stderr closed leaves nowhere to say it. */
export function print(writer: Writer, text: string): boolean {
  try {
    if (text) writer.write(Buffer.from(text));
    return true;
  } catch {
    return false;
  }
}

/** cronwrap's own messages: `cronwrap: ...` on stderr. */
export function warn(stderr: Writer, message: string): void {
  print(stderr, `cronwrap: ${message}\n`);
}
