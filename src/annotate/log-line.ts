import { parseJsonObject } from '../util/check.js';

/** One record of a log read back: its stamp, which stream (or cronwrap's own `meta`), and its text. */
export interface LogLine {
  stamp: string;
  stream: 'out' | 'err' | 'meta' | 'other';
  text: string;
}

// `<stamp> out| text`, `<stamp> err+ text`, `<stamp> === start job=…`: the first mark after the stamp wins.
const TEXT_RECORD = /^(.*?) (?:(out|err)[|+!]|===) (.*)$/s;
/** Fields of a JSON meta record that the line's stamp and stream already say. */
const SHOWN_APART = new Set(['ts', 'stamp', 'stream', 'event', 'v']);

function fieldText(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** A JSON record (`--json`): stream records give their line, meta records their event and fields. */
function jsonRecord(line: string): LogLine | undefined {
  const fields = parseJsonObject(line);
  if (!fields) return undefined;
  const stamp = fieldText(fields.stamp ?? fields.ts ?? '');
  if ((fields.stream === 'out' || fields.stream === 'err') && typeof fields.line === 'string') {
    return { stamp, stream: fields.stream, text: fields.line };
  }
  if (fields.stream !== 'meta') return undefined;
  const pairs = Object.entries(fields).filter(([key]) => !SHOWN_APART.has(key)).map(([key, value]) => `${key}=${fieldText(value)}`);
  return { stamp, stream: 'meta', text: [fieldText(fields.event), ...pairs].join(' ') };
}

/** Reads back one line of a cronwrap log, text or JSON; a line that is neither is `other`, kept whole. */
export function parseLogLine(line: string): LogLine {
  if (line.startsWith('{')) {
    const record = jsonRecord(line);
    if (record) return record;
  }
  const match = TEXT_RECORD.exec(line);
  if (!match) return { stamp: '', stream: 'other', text: line };
  return { stamp: match[1]!, stream: match[2] === 'out' || match[2] === 'err' ? match[2] : 'meta', text: match[3]! };
}

/** Whether a meta line opens (`start`) or closes (`end`) the run `run`. */
export function marksRun(line: LogLine, event: 'start' | 'end', run: string): boolean {
  return line.stream === 'meta' && line.text.startsWith(`${event} `) && ` ${line.text} `.includes(` run=${run} `);
}
