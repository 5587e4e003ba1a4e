import { describe, expect, it } from 'vitest';
import { slackText } from '../../src/notify/webhook.js';
import { countNotText, NotTextCounter } from '../../src/util/not-text.js';

const bytes = (...parts: (string | number[])[]) => Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p) : Buffer.from(p))));

describe('bytes that are not text', () => {
  it.each([
    ['ASCII, accents, CJK and an emoji', bytes('plain caf\u00e9 \u4e2d \u{1f600}\n'), 0],
    ['a NUL', bytes('a', [0], 'b'), 1],
    ['bytes never in UTF-8 (0xff, 0xfe, 0xc0, 0xf5)', bytes([0xff, 0xfe, 0xc0, 0xf5]), 4],
    ['a lone continuation byte', bytes('a', [0x80], 'b'), 1],
    ['an overlong form of "/" (C0 AF)', bytes([0xc0, 0xaf]), 2],
    ['a UTF-16 surrogate (ED A0 80)', bytes([0xed, 0xa0, 0x80]), 3],
    ['past U+10FFFF (F4 90 80 80)', bytes([0xf4, 0x90, 0x80, 0x80]), 4],
    ['a sequence cut by an ASCII byte', bytes([0xe2, 0x82], 'x'), 2],
    ['Latin-1 text', Buffer.from('caf\u00e9 na\u00efve', 'latin1'), 2],
  ])('countNotText: %s', (_what, data, count) => {
    expect(countNotText(data)).toBe(count);
  });

  it('a character cut in two by the reads is text; a cut one at the end of the stream is not', () => {
    const emoji = Buffer.from('\u{1f600}');
    const counter = new NotTextCounter();
    const counts = [counter.push(bytes('a', [emoji[0]!])), counter.push(emoji.subarray(1, 2)), counter.push(bytes([emoji[2]!, emoji[3]!], 'b', [0xe2, 0x82]))];
    expect(counts).toEqual([0, 0, 0]);
    expect(counter.end()).toBe(2);
    expect(counter.end()).toBe(0);
  });

  it('a cut sequence that turns out wrong is counted with the read that shows it', () => {
    const counter = new NotTextCounter();
    expect(counter.push(bytes('x', [0xe2]))).toBe(0);
    expect(counter.push(bytes('y'))).toBe(1);
    expect(counter.end()).toBe(0);
  });
});

describe('Slack text', () => {
  it('escapes only &, < and >, as Slack asks: no mention, no link, the rest as it was', () => {
    expect(slackText('<!channel> <@U024BE7LH> <https://x.example|click> Tom & Jerry @here *bold*')).toBe(
      '&lt;!channel&gt; &lt;@U024BE7LH&gt; &lt;https://x.example|click&gt; Tom &amp; Jerry @here *bold*',
    );
  });
});

describe('countNotText agrees with a byte-by-byte reading of UTF-8', () => {
  /** Validates the way RFC 3629 reads, one sequence at a time: the slow, obvious reference. */
  function reference(data: Buffer): number {
    let count = 0;
    for (let at = 0; at < data.length; ) {
      const b = data[at]!;
      const [length, low, high] =
        b < 0x80 ? [1, 0, 0] : b >= 0xc2 && b <= 0xdf ? [2, 0x80, 0xbf] : b === 0xe0 ? [3, 0xa0, 0xbf] : b === 0xed ? [3, 0x80, 0x9f] : b >= 0xe1 && b <= 0xef ? [3, 0x80, 0xbf] : b === 0xf0 ? [4, 0x90, 0xbf] : b >= 0xf1 && b <= 0xf3 ? [4, 0x80, 0xbf] : b === 0xf4 ? [4, 0x80, 0x8f] : [0, 0, 0];
      const whole = length === 1 || (length > 1 && at + length <= data.length && data[at + 1]! >= low && data[at + 1]! <= high && [...data.subarray(at + 2, at + length)].every((c) => (c & 0xc0) === 0x80));
      if (whole) {
        if (b === 0) count++;
        at += length;
      } else {
        count++;
        at++;
      }
    }
    return count;
  }

  it('on random bytes, random text with U+FFFD and NUL, and their mixtures', () => {
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const pieces = [Buffer.from('a\u00e9\u4e2d\u{1f600}\ufffd'), Buffer.from([0]), Buffer.from([0xef, 0xbf]), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from([0xf4, 0x90])];
    for (let round = 0; round < 300; round++) {
      const parts: Buffer[] = [];
      for (let i = 0; i < 20; i++) parts.push(random() < 0.5 ? Buffer.from([Math.floor(random() * 256)]) : pieces[Math.floor(random() * pieces.length)]!);
      const data = Buffer.concat(parts);
      expect(countNotText(data), data.toString('hex')).toBe(reference(data));
    }
  });
});
