import { StringDecoder } from 'node:string_decoder';
import type { Writer } from '../util/fd.js';
import { escapeControl } from '../util/format.js';

/**
 * A writer for a terminal: control characters in job output (ESC sequences, a bare CR) are shown escaped,
 * never acted on, so output cannot draw a fake `=== end ... exit=0` over a line or clear the screen. The
 * decoder keeps a character split between two writes whole. The log keeps the bytes as they were.
 */
export function terminalSafe(out: Writer): Writer {
  const decoder = new StringDecoder('utf8');
  return { write: (data) => out.write(Buffer.from(escapeControl(decoder.write(Buffer.from(data.buffer, data.byteOffset, data.byteLength))))) };
}

/** Where job output is printed on stdout: escaped when stdout is a terminal, byte for byte otherwise. */
export function outputWriter(stdout: Writer, isTerminal: boolean): Writer {
  return isTerminal ? terminalSafe(stdout) : stdout;
}
