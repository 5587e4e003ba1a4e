import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURES, cronwrap, sandbox, writesBytes } from '../helpers/cronwrap.js';
import { footer, parseLog, reassemble } from '../helpers/records.js';

/** Runs the fixture that writes exactly these bytes and reads the log back. */
async function roundTrip(out: Buffer, err: Buffer = Buffer.alloc(0), extra: string[] = []) {
  const box = sandbox();
  const result = await cronwrap(['--name', 'bytes', ...extra, '--', ...writesBytes(box, out, err)], box);
  expect(result.exitCode).toBe(0);
  const log = parseLog(box.logOf('bytes'));
  expect(log.garbage).toEqual([]);
  return log;
}

describe('nothing lost: the log gives back every byte of each stream', () => {
  it.each<[string, Buffer]>([
    ['lines on both streams', Buffer.from('first\nsecond\n')],
    ['no final newline', Buffer.from('one\ntwo, unfinished')],
    ['invalid UTF-8', Buffer.from([0xff, 0xfe, 0x41, 0x0a, 0xc3, 0x28, 0x0a, 0xed, 0xa0, 0x80, 0x0a, 0xe2, 0x82])],
    ['carriage-return progress output', Buffer.from('progress 10%\rprogress 60%\rprogress 100%\r\ndone\n')],
    ['NUL bytes', Buffer.from('a\0b\0\nc\0')],
    ['empty lines', Buffer.from('\n\n\n')],
  ])('%s', async (_name, bytes) => {
    const err = Buffer.concat([Buffer.from('on stderr: '), bytes]);
    const log = await roundTrip(bytes, err);
    expect(reassemble(log.records, 'out').equals(bytes)).toBe(true);
    expect(reassemble(log.records, 'err').equals(err)).toBe(true);
  });

  it('marks a missing final newline after the text and counts it as a line', async () => {
    const log = await roundTrip(Buffer.from('a\nno newline at the end'));
    expect(log.records.at(-1)).toMatchObject({ stream: 'out', flag: '!' });
    expect(log.records.at(-1)!.text.toString()).toBe('no newline at the end');
    expect(footer(log)).toMatchObject({ stdout_lines: '2', stdout_bytes: '23' });
  });

  it('keeps a 1 MB line, split into 64 KiB records marked as continued', async () => {
    const line = Buffer.alloc(1_000_000, 0x61);
    const bytes = Buffer.concat([line, Buffer.from('\nafter\n')]);
    const log = await roundTrip(bytes);
    expect(reassemble(log.records, 'out').equals(bytes)).toBe(true);
    expect(log.records.filter((r) => r.flag === '+')).toHaveLength(Math.floor(1_000_000 / (64 * 1024)));
    expect(Math.max(...log.records.map((r) => r.text.length))).toBeLessThanOrEqual(64 * 1024);
  });

  it('keeps the bytes exactly in JSON records (base64 where they are not UTF-8)', async () => {
    const bytes = Buffer.from([0x6f, 0x6b, 0x0a, 0xff, 0x00, 0x0a, 0x74, 0x61, 0x69, 0x6c]);
    const box = sandbox();
    const result = await cronwrap(['--name', 'j', '--json', '--', ...writesBytes(box, bytes)], box);
    expect(result.exitCode).toBe(0);
    const records = box.logOf('j').toString().trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(records[0]).toMatchObject({ stream: 'meta', event: 'start', job: 'j' });
    expect(records.at(-1)).toMatchObject({ stream: 'meta', event: 'end', exit: 0 });
    const lines = records.filter((r) => r.stream === 'out');
    for (const r of lines) expect(Object.keys(r)).toEqual(expect.arrayContaining(['ts', 'stream', 'line', 'job', 'run', 'host']));
    const rebuilt = Buffer.concat(
      lines.map((r) => Buffer.concat([r.b64 ? Buffer.from(r.b64 as string, 'base64') : Buffer.from(r.line as string), Buffer.from(r.eol === false ? '' : '\n')])),
    );
    expect(rebuilt.equals(bytes)).toBe(true);
  });

  it('passes stdin on to the command', async () => {
    const box = sandbox();
    const input = join(box.dir, 'input.txt');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(input, 'from stdin\n');
    const result = await cronwrap(['--name', 'cat', '--', 'cat'], box, { stdin: { file: input } });
    expect(result.exitCode).toBe(0);
    expect(reassemble(parseLog(box.logOf('cat')).records, 'out').toString()).toBe('from stdin\n');
  });

  it('1,000,000 lines on each stream: none lost, order kept per stream', async () => {
    const box = sandbox();
    const count = 1_000_000;
    const result = await cronwrap(['--name', 'many', '--', 'node', join(FIXTURES, 'numbered-lines.mjs'), String(count)], box);
    expect(result.exitCode).toBe(0);
    const log = parseLog(readFileSync(join(box.logDir, 'many.log')));
    expect(log.garbage).toHaveLength(0);
    for (const stream of ['out', 'err'] as const) {
      const lines = log.records.filter((r) => r.stream === stream);
      expect(lines).toHaveLength(count);
      const pad = stream === 'out' ? 17 : 13;
      lines.forEach((r, n) => {
        if (r.text.toString() !== `L ${stream} ${n} ${(stream === 'out' ? 'o' : 'e').repeat(n % pad)}`) {
          throw new Error(`${stream} line ${n} is '${r.text.toString()}'`);
        }
      });
    }
    expect(footer(log)).toMatchObject({ stdout_lines: String(count), stderr_lines: String(count), not_logged_bytes: '0' });
  }, 180_000); // about 30 s on a loaded 2-core machine: room for slower ones
});
