import type { Writer } from '../util/fd.js';
import { escapeLine, jsonText } from '../util/format.js';

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

/**
 * One line for people. What it holds from outside (a crontab, a state file, a server) reaches a terminal
 * escaped, never acted on: no screen clear, colour, clipboard write (OSC 52), bidi reordering or new line.
 */
export function printLine(writer: Writer, line: string): boolean {
  return print(writer, `${escapeLine(line)}\n`);
}

/** A value as JSON for tools, escaped as JSON is, and with nothing a terminal would act on left raw. */
export function printJson(writer: Writer, value: unknown): boolean {
  return print(writer, `${jsonText(value)}\n`);
}

/** cronwrap's own messages: `cronwrap: ...` on stderr, one line each. */
export function warn(stderr: Writer, message: string): void {
  printLine(stderr, `cronwrap: ${message}`);
}
