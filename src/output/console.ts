import { errorCode } from '../errors.js';
import type { Writer } from '../util/fd.js';
import { escapeLine, jsonText } from '../util/format.js';

/** What became of the output meant for stdout (--tee, or a terminal). */
export interface LiveResult {
  /** Why stdout stopped taking it (its reader closed the pipe, a full disk), if it did. */
  failure?: string;
  /** Bytes of records not printed once it had failed. */
  bytesNotShown: number;
}

/** `EPIPE` in words a person reading an alert understands. */
const WHY: Record<string, string> = { EPIPE: 'its reader closed the pipe', ENOSPC: 'the disk is full', EIO: 'the terminal is gone' };

/**
 * Prints records on stdout until it fails; a closed pipe (EPIPE) or a full disk stops printing, not the
 * job. The failure is said once through `onFailure` and counted, for the footer and the alert.
 */
export class ConsoleOutput {
  private failure: string | undefined;
  private bytesNotShown = 0;

  constructor(
    private readonly out: Writer,
    private readonly onFailure?: (reason: string) => void,
  ) {}

  get active(): boolean {
    return this.failure === undefined;
  }

  write(records: Buffer): void {
    if (this.failure === undefined) {
      try {
        this.out.write(records);
        return;
      } catch (error) {
        const code = errorCode(error);
        this.failure = `cannot write stdout: ${code}${WHY[code] ? ` (${WHY[code]})` : ''}`;
        this.onFailure?.(this.failure);
      }
    }
    this.bytesNotShown += records.length;
  }

  get result(): LiveResult {
    return { bytesNotShown: this.bytesNotShown, ...(this.failure ? { failure: this.failure } : {}) };
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
