import { describe, expect, it } from 'vitest';
import { bashCompletion } from '../../src/package/completion.js';
import { tempDir } from '../helpers/cronwrap.js';
import { completions } from '../helpers/completion.js';

describe('bash completion', () => {
  const complete = (...lines: string[]) => {
    const dir = tempDir();
    return completions(bashCompletion(), dir, dir, lines);
  };

  it("after a subcommand, offers that subcommand's own flags, not wrap mode's (operator review of issue 25)", () => {
    expect(complete('cronwrap status --j', 'cronwrap jobs --un', 'cronwrap pause backup --f', 'cronwrap config show --na', 'cronwrap config check --na')).toEqual([
      ['--json'], // was --json --jitter
      ['--unwrapped'], // was nothing
      ['--for', '--force'],
      ['--name'],
      [''],
    ]);
  });

  it("without a subcommand, wrap mode's flags", () => {
    expect(complete('cronwrap --name backup --ti', 'cronwrap --j')).toEqual([['--timestamp', '--timeout'], ['--json', '--jitter']]);
  });
});
