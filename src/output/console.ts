import { writeAll } from './fd-writer.js';

/** Prints records on a descriptor (stdout) until it fails; a closed pipe (EPIPE) stops printing, not the job. */
export class ConsoleOutput {
  private open = true;

  constructor(private readonly fd: number) {}

  get active(): boolean {
    return this.open;
  }

  write(records: Buffer): void {
    if (!this.open) return;
    try {
      writeAll(this.fd, records);
    } catch {
      this.open = false;
    }
  }
}

/** cronwrap's own messages: `cronwrap: ...` on stderr. */
export function warn(message: string): void {
  try {
    writeAll(2, Buffer.from(`cronwrap: ${message}\n`));
  } catch {
    // stderr is closed: nothing more can be said.
  }
}
