import { describe, expect, it } from 'vitest';
import { escapeLine, jsonText } from '../../src/util/format.js';

describe('text from outside, for a terminal', () => {
  it.each([
    ['plain text, spaces and accents', 'backup-db  café', 'backup-db  café'],
    ['ESC (screen clear) and BEL (end of an OSC 52 clipboard write)', '\u001b[2J\u001b]52;c;aGk=\u0007', '\\x1b[2J\\x1b]52;c;aGk=\\x07'],
    ['a C1 CSI and DEL', '\u009b31m\u007f', '\\x9b31m\\x7f'],
    ['tab, newline, CR and NUL: one line stays one line', 'a\tb\nc\rd\u0000', 'a\\x09b\\x0ac\\x0dd\\x00'],
    ['bidi overrides, isolates and marks', '\u202eexe.txt\u2066\u200f\u061c', '\\u202eexe.txt\\u2066\\u200f\\u061c'],
    ['invisible characters and Unicode line separators', 'ok\u200b\u2060\ufeff\u2028\u2029', 'ok\\u200b\\u2060\\ufeff\\u2028\\u2029'],
  ])('escapeLine: %s', (_what, text, shown) => {
    expect(escapeLine(text)).toBe(shown);
  });

  it('jsonText leaves nothing raw a terminal acts on, and parses back to the same value', () => {
    const value = { command: 'echo \u001b[2J\u009b\u202e\u0000\u007f', n: 1 };
    const text = jsonText(value);
    expect(text).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e]/);
    expect(JSON.parse(text)).toEqual(value);
  });
});
