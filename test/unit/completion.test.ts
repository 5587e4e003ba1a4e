import { describe, expect, it } from 'vitest';
import { bashCompletion } from '../../src/package/completion.js';
import { tempDir } from '../helpers/cronwrap.js';
import { completions } from '../helpers/completion.js';

describe('bash completion', () => {
  const complete = (line: string) => {
    const dir = tempDir();
    return completions(bashCompletion(), dir, dir, line);
  };

  it("after a subcommand, offers that subcommand's own flags, not wrap mode's (operator review of issue 25)", () => {
    expect(complete('cronwrap status --j')).toEqual(['--json']); // was --json --jitter
    expect(complete('cronwrap jobs --un')).toEqual(['--unwrapped']); // was nothing
    expect(complete('cronwrap pause backup --f')).toEqual(['--for', '--force']);
    expect(complete('cronwrap config show --na')).toEqual(['--name']);
    expect(complete('cronwrap config check --na')).toEqual(['']);
  });

  it("without a subcommand, wrap mode's flags", () => {
    expect(complete('cronwrap --name backup --ti')).toEqual(['--timestamp', '--timeout']);
    expect(complete('cronwrap --j')).toEqual(['--json', '--jitter']);
  });
});
