/** A text record read back from a log or from stdout. */
export interface ParsedRecord {
  stamp: string;
  stream: 'out' | 'err';
  flag: '|' | '+' | '!';
  text: Buffer;
}

export interface ParsedLog {
  records: ParsedRecord[];
  /** Header and footer records, as `key=value` maps. */
  meta: { event: string; fields: Record<string, string> }[];
  /** Lines that are neither: a torn or garbled record. */
  garbage: Buffer[];
}

const RECORD = /^(.*?) (out|err)([|+!]) /s;
const META = /^(.*?) === (start|end|wait|skip|retry|heal|config|reopened|signal) (.*)$/s;
const NO_NEWLINE = Buffer.from(' [no newline]');

function metaFields(text: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const match of text.matchAll(/(\w+)=("(?:[^"\\]|\\.)*"|\[[^\]]*\]|\S+)/g)) {
    const raw = match[2]!;
    fields[match[1]!] = raw.startsWith('"') ? (JSON.parse(raw) as string) : raw;
  }
  return fields;
}

/** Splits text-format output into records, byte-exact (latin1 keeps every byte as one character). */
export function parseLog(bytes: Buffer): ParsedLog {
  const parsed: ParsedLog = { records: [], meta: [], garbage: [] };
  let start = 0;
  while (start < bytes.length) {
    let end = bytes.indexOf(0x0a, start);
    if (end === -1) end = bytes.length;
    const line = bytes.subarray(start, end);
    start = end + 1;
    const asText = line.toString('latin1');
    const meta = META.exec(asText);
    const record = meta ? null : RECORD.exec(asText);
    if (meta) parsed.meta.push({ event: meta[2]!, fields: metaFields(Buffer.from(meta[3]!, 'latin1').toString('utf8')) });
    else if (record) {
      let text = line.subarray(Buffer.byteLength(record[0], 'latin1'));
      const flag = record[3] as ParsedRecord['flag'];
      if (flag === '!') {
        if (!text.subarray(text.length - NO_NEWLINE.length).equals(NO_NEWLINE)) parsed.garbage.push(line);
        text = text.subarray(0, text.length - NO_NEWLINE.length);
      }
      parsed.records.push({ stamp: record[1]!, stream: record[2] as ParsedRecord['stream'], flag, text });
    } else parsed.garbage.push(line);
  }
  return parsed;
}

/** Joins one stream's records back into the bytes the command wrote: the contract's "nothing lost". */
export function reassemble(records: readonly ParsedRecord[], stream: 'out' | 'err'): Buffer {
  const parts: Buffer[] = [];
  for (const record of records) {
    if (record.stream !== stream) continue;
    parts.push(record.text);
    if (record.flag === '|') parts.push(Buffer.from('\n'));
  }
  return Buffer.concat(parts);
}

/** The footer of the only (or last) run in a log. */
export function footer(log: ParsedLog): Record<string, string> {
  const end = log.meta.filter((m) => m.event === 'end').at(-1);
  if (!end) throw new Error('no footer record in the log');
  return end.fields;
}
