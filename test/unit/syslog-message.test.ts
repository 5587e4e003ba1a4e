import { describe, expect, it } from 'vitest';
import { relayProblem } from '../../src/annotate/syslog-copy.js';
import { headerField, pieceEnd, priority, sdElement, sdParamValue, syslogHead } from '../../src/annotate/syslog-message.js';

describe('RFC 5424 messages', () => {
  it('PRI is facility × 8 + severity', () => {
    expect(priority('user', 'info')).toBe(14);
    expect(priority('cron', 'err')).toBe(75);
    expect(priority('local7', 'debug')).toBe(191);
  });

  it.each([
    ['plain', 'plain'],
    ['a "quoted" word', 'a \\"quoted\\" word'],
    ['back\\slash', 'back\\\\slash'],
    ['close]bracket', 'close\\]bracket'],
    ['[open] =sign ünï', '[open\\] =sign ünï'],
    ['\\"]', '\\\\\\"\\]'],
  ])('SD-PARAM value %j is escaped as %j (section 6.3.3: only ", \\ and ])', (value, escaped) => {
    expect(sdParamValue(value)).toBe(escaped);
  });

  it('an SD element: its ID, then each param with its escaped value', () => {
    expect(sdElement('cronwrap@32473', [['job', 'backup'], ['run', 'a1'], ['note', 'say "hi"]']])).toBe('[cronwrap@32473 job="backup" run="a1" note="say \\"hi\\"\\]"]');
  });

  it('the header: PRI, version 1, time, host, app, pid, msgid, structured data, then a space before MSG', () => {
    const head = syslogHead({ facility: 'user', severity: 'notice', time: '2026-12-03T11:40:22.123Z', host: 'web-1', app: 'cronwrap', procid: 4242, msgid: 'err', structuredData: '[x@32473 a="b"]' });
    expect(head).toBe('<13>1 2026-12-03T11:40:22.123Z web-1 cronwrap 4242 err [x@32473 a="b"] ');
  });

  it('header fields hold printable ASCII only, cut to their length; an empty one is the NILVALUE', () => {
    expect(headerField('my host', 255)).toBe('my_host');
    expect(headerField('hôte', 255)).toBe('h_te');
    expect(headerField('', 48)).toBe('-');
    expect(headerField('x'.repeat(60), 48)).toBe('x'.repeat(48));
  });

  it('a long line is cut between UTF-8 characters, never inside one', () => {
    const text = Buffer.from('aé€😀'.repeat(10)); // 1, 2, 3 and 4-byte characters
    for (let max = 4; max < 40; max++) {
      const pieces: Buffer[] = [];
      for (let start = 0; start < text.length; ) {
        const end = pieceEnd(text, start, text.length, max);
        expect(end - start).toBeLessThanOrEqual(max);
        expect(end).toBeGreaterThan(start);
        pieces.push(text.subarray(start, end));
        start = end;
      }
      expect(pieces.every((piece) => !piece.toString('utf8').includes('\ufffd'))).toBe(true);
      expect(Buffer.concat(pieces).equals(text)).toBe(true);
    }
    expect(pieceEnd(Buffer.from([0x80, 0x80, 0x80, 0x80, 0x80, 0x80]), 0, 6, 4)).toBe(4); // not UTF-8: cut at the size
  });
});

describe('what the footer says of records syslog did not take', () => {
  it.each([
    [{ handed: 10, dropped: 0, sent: 10, failed: 0, ended: false }, undefined],
    [{ handed: 2, dropped: 0, sent: 0, failed: 2, error: 'No such file or directory', ended: false }, '2 of 2 records not sent to /dev/log (2 failed: No such file or directory)'],
    [{ handed: 50, dropped: 950, sent: 50, failed: 0, ended: false }, '950 of 1000 records not sent to /dev/log (950 dropped: the relay to syslog fell behind)'],
    [{ handed: 300, dropped: 700, ended: false }, 'up to 1000 of 1000 records not sent to /dev/log (700 dropped: the relay to syslog fell behind; 300 unconfirmed: no answer from syslog within 1000 ms)'],
    [{ handed: 1, dropped: 1, ended: true, error: 'cannot run perl: spawn perl ENOENT' }, 'up to 2 of 2 records not sent to /dev/log (1 dropped: the relay to syslog had ended; 1 unconfirmed: the relay ended; relay: cannot run perl: spawn perl ENOENT)'],
  ])('%j → %j', (report, words) => {
    expect(relayProblem(report, '/dev/log', 1000)).toBe(words);
  });
});
