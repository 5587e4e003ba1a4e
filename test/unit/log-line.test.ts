import { describe, expect, it } from 'vitest';
import { marksRun, parseLogLine } from '../../src/annotate/log-line.js';

describe('parseLogLine', () => {
  it.each([
    ['2026-11-23T13:11:17.625+00:00 out| hello', { stamp: '2026-11-23T13:11:17.625+00:00', stream: 'out', text: 'hello' }],
    ['2026-11-23T13:11:17.625+00:00 err+ a long line', { stream: 'err', text: 'a long line' }],
    ['Nov 23 13:11:17 out! no newline [no newline]', { stamp: 'Nov 23 13:11:17', stream: 'out', text: 'no newline [no newline]' }],
    ['+00:00:01.250 out| text with out| inside', { stamp: '+00:00:01.250', stream: 'out', text: 'text with out| inside' }],
    ['2026-11-23T13:11:17Z === start job=a run=0123456789ab command=["sh","-c","echo out| x"]', { stream: 'meta', text: 'start job=a run=0123456789ab command=["sh","-c","echo out| x"]' }],
    ['{"ts":"2026-11-23T13:11:17.625Z","stream":"err","line":"<b>oops</b>","job":"a","run":"r","host":"h","v":2}', { stamp: '2026-11-23T13:11:17.625Z', stream: 'err', text: '<b>oops</b>' }],
    ['{"ts":"2026-11-23T13:11:17.625Z","stamp":"+1.5s","stream":"out","line":"x","v":2}', { stamp: '+1.5s', stream: 'out', text: 'x' }],
    ['{"ts":"t","stream":"meta","event":"end","job":"a","run":"0123456789ab","exit":3,"v":2}', { stream: 'meta', text: 'end job=a run=0123456789ab exit=3' }],
    ['something a person appended', { stamp: '', stream: 'other', text: 'something a person appended' }],
    ['{"not":"a record"}', { stream: 'other', text: '{"not":"a record"}' }],
  ])('reads %s', (line, expected) => {
    expect(parseLogLine(line)).toMatchObject(expected);
  });

  it('finds the start and end of one run, in both formats, and not of another whose id contains it', () => {
    const run = '0123456789ab';
    expect(marksRun(parseLogLine(`t === start job=a run=${run} host=h`), 'start', run)).toBe(true);
    expect(marksRun(parseLogLine(`{"ts":"t","stream":"meta","event":"end","job":"a","run":"${run}","v":2}`), 'end', run)).toBe(true);
    expect(marksRun(parseLogLine(`t === start job=a run=${run}ff host=h`), 'start', run)).toBe(false);
    expect(marksRun(parseLogLine(`t === end job=a run=${run} exit=0`), 'start', run)).toBe(false);
    expect(marksRun(parseLogLine(`t out| start job=a run=${run}`), 'start', run)).toBe(false);
  });
});
