import type { OutputFacts } from '../annotate/run-recorder.js';

const bytes = (n: number) => `${n} ${n === 1 ? 'byte' : 'bytes'}`;

/**
 * What a reader of the alert should know about the output it quotes: bytes that are not text (an excerpt
 * shows them as U+FFFD or `\x00`, so binary output would otherwise pass for text), and a stdout (--tee, a
 * terminal) that stopped taking the output.
 */
export function outputNotes({ out, err, live, log }: OutputFacts): string[] {
  const notText = out.notText + err.notText;
  return [
    ...(notText > 0 ? [`the output held ${bytes(notText)} that ${notText === 1 ? 'is' : 'are'} not UTF-8 text (binary data, another encoding, or NUL): shown here as U+FFFD or \\x00${log.failure ? '' : '; the log keeps them as written'}`] : []),
    ...(live?.failure ? [`stdout stopped taking the output: ${live.failure}; ${bytes(live.bytesNotShown)} of records were not printed there`] : []),
  ];
}

/** The notes above, and the log's own failure: what the history keeps of how the run was recorded. */
export function recordingNotes(facts: OutputFacts): string[] {
  return [...outputNotes(facts), ...(facts.log.failure ? [`log NOT written: ${facts.log.failure}`] : [])];
}
