import { describe, expect, it } from 'vitest';
import { HeadLines, TailLines } from '../../src/output/excerpt.js';

const STAMP = '2026-12-03T06:00:00.000+00:00';
const record = (text: string, mark = 'out|') => `${STAMP} ${mark} ${text}\n`;

describe('an output excerpt', () => {
  it.each([
    ['a progress line rewritten with CR shows its last state', 'copying 10%\rcopying 50%\rcopying 100%', 'copying 100%'],
    ['a CRLF line ends as a plain line', 'windows line\r', 'windows line'],
    ['a rewritten line that ends in CR shows the state before it', '10%\r100%\r', '100%'],
    ['a line with no CR is as it was', 'plain', 'plain'],
    ['a shorter rewrite leaves what it did not cover, as a terminal does: no line hidden from an alert', 'FATAL: backup corrupted\rOK', 'OKTAL: backup corrupted'],
    ['a rewrite over a multibyte character never leaves half of it', 'héllo\rab', 'abllo'],
    ['other control characters stay escaped', 'a\x1b[31mred', 'a\\x1b[31mred'],
  ])('%s', (_what, text, shown) => {
    const head = new HeadLines();
    const tail = new TailLines();
    head.add(Buffer.from(record(text)));
    tail.add(Buffer.from(record(text)));
    expect(head.lines()).toEqual([`${STAMP} out| ${shown}`]);
    expect(tail.lines()).toEqual([`${STAMP} out| ${shown}`]);
  });

  it('a long rewritten line: the last rewrite comes first, so the cut for size keeps it', () => {
    const tail = new TailLines(20, 64);
    tail.add(Buffer.from(record(`${'x'.repeat(200)}\rdone`, 'err+')));
    const prefix = `${STAMP} err+ `;
    expect(tail.lines()).toEqual([`${prefix}done${'x'.repeat(64 - prefix.length - 4)} [cut]`]);
  });
});
