import { describe, expect, it } from 'vitest';
import { jsonFormat, textFormat, type StreamTag } from '../../src/annotate/record-format.js';
import { MAX_RECORD_TEXT, RunRecorder } from '../../src/annotate/run-recorder.js';
import type { Stamper } from '../../src/annotate/timestamp.js';
import { ConsoleOutput } from '../../src/output/console.js';
import { memoryIo } from '../helpers/memory-io.js';
import { parseLog, reassemble } from '../helpers/records.js';

const STAMP = { first: 'T1', rest: 'T2' };
const FIXED: Stamper = { stamp: () => STAMP, note: () => 'N' };

/** A recorder whose records are kept in `written` (as they reach the console). */
function recorderInto(written: Buffer[], format = textFormat): RunRecorder {
  const console = new ConsoleOutput({ write: (records) => void written.push(Buffer.from(records)) });
  return new RunRecorder({ io: memoryIo({}), format, stamper: FIXED, log: undefined, console });
}

/** Records `input` cut into reads of `readSize` bytes, as supervise hands them on; returns the records written. */
function annotate(input: Buffer, readSize: number, format = textFormat): Buffer {
  const written: Buffer[] = [];
  const recorder = recorderInto(written, format);
  for (let at = 0; at < input.length; at += readSize) recorder.push('out', input.subarray(at, at + readSize));
  recorder.endStream('out');
  return Buffer.concat(written);
}

const SAMPLES: [string, Buffer][] = [
  ['plain lines', Buffer.from('one\ntwo\nthree\n')],
  ['no final newline', Buffer.from('one\ntwo')],
  ['empty lines', Buffer.from('\n\n\nx\n\n')],
  ['carriage returns', Buffer.from('10%\r50%\r100%\r\ndone\r\n')],
  ['NUL and invalid UTF-8', Buffer.from([0x61, 0x00, 0x62, 0xff, 0xfe, 0x0a, 0xc3, 0x28, 0x0a, 0xe2, 0x82])],
  ['a line longer than a record', Buffer.concat([Buffer.alloc(MAX_RECORD_TEXT * 2 + 7, 0x78), Buffer.from('\nend\n')])],
  ['a line exactly one record long', Buffer.concat([Buffer.alloc(MAX_RECORD_TEXT, 0x79), Buffer.from('\n')])],
  // More records than one batch holds (256 KiB): a read's records are handed on in several writes.
  ['more lines than a batch holds', Buffer.from('ab\n'.repeat(120_000))],
];

describe('RunRecorder: the line path', () => {
  for (const [name, input] of SAMPLES) {
    it.each([1, 3, 1000, 70_000, 1 << 20])(`${name}: gives back every byte when read %i bytes at a time`, (readSize) => {
      const log = parseLog(annotate(input, readSize));
      expect(log.garbage).toEqual([]);
      expect(reassemble(log.records, 'out').equals(input)).toBe(true);
    });
  }

  it('stamps the first line of a read with `first` and the others with `rest`', () => {
    expect(annotate(Buffer.from('a\nb\nc\n'), 1 << 20).toString()).toBe('T1 out| a\nT2 out| b\nT2 out| c\n');
  });

  it('marks a missing final newline after the text, without inventing a newline', () => {
    expect(annotate(Buffer.from('last'), 100).toString()).toBe('T1 out! last [no newline]\n');
  });

  it('splits an over-long line into continued pieces of at most 64 KiB', () => {
    const records = parseLog(annotate(Buffer.concat([Buffer.alloc(150_000, 0x61), Buffer.from('\n')]), 65_536)).records;
    expect(records.map((r) => [r.flag, r.text.length])).toEqual([
      ['+', MAX_RECORD_TEXT],
      ['+', MAX_RECORD_TEXT],
      ['|', 150_000 - 2 * MAX_RECORD_TEXT],
    ]);
  });

  it('counts lines and bytes, and the bytes that are not text', () => {
    const recorder = recorderInto([]);
    const push = (tag: StreamTag, bytes: number[] | string) => recorder.push(tag, Buffer.from(bytes));
    push('err', 'a\nbb\nccc');
    push('err', [0x0a, 0xff, 0x00, 0xe2]);
    recorder.endStream('err');
    expect(recorder.counts('err')).toEqual({ lines: 4, bytes: 12, notText: 3 });
    expect(recorder.counts('out')).toEqual({ lines: 0, bytes: 0, notText: 0 });
  });

  it('writes JSON records that keep non-UTF-8 bytes recoverable', () => {
    const input = Buffer.from([0x68, 0x69, 0xff, 0x0a, 0x6f, 0x6b]);
    const lines = annotate(input, 2, jsonFormat({ job: 'j', run: 'r', host: 'h' })).toString().trimEnd().split('\n');
    const records = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(records[0]).toMatchObject({ ts: 'T1', stream: 'out', line: 'hi\ufffd', b64: input.subarray(0, 3).toString('base64'), job: 'j', run: 'r', host: 'h' });
    expect(records[1]).toMatchObject({ line: 'ok', eol: false });
    expect(records[1]).not.toHaveProperty('b64');
  });
});
