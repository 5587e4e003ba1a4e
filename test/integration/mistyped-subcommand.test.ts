import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cronwrap, historyOf, sandbox } from '../helpers/cronwrap.js';

// Issue 23 (with item 5: an operator's typo does the wrong thing): `cronwrap stauts` ran a job named
// stauts (a failed run, its log, history and alerts) instead of showing the status.
describe('a mistyped subcommand', () => {
  it('is refused with the subcommand meant, and runs nothing: no log, no history', async () => {
    const box = sandbox();
    const typo = await cronwrap(['stauts'], box);
    expect(typo.exitCode).toBe(125);
    expect(typo.stdout.toString()).toBe('');
    expect(typo.stderr.toString()).toBe("cronwrap: stauts is not a command on PATH nor one of cronwrap's; did you mean cronwrap status? (to run a command named stauts as a job, put -- before it)\n");
    expect(existsSync(join(box.stateDir, 'history', 'stauts.jsonl'))).toBe(false);
    expect(existsSync(join(box.logDir, 'stauts.log'))).toBe(false);
  });

  it('a command of that name on PATH, or one given after --, runs as a job', async () => {
    const box = sandbox();
    const bin = join(box.dir, 'bin');
    mkdirSync(bin);
    writeFileSync(join(bin, 'tial'), '#!/bin/sh\necho tailing\n');
    chmodSync(join(bin, 'tial'), 0o755);
    const onPath = await cronwrap(['tial'], box, { env: { ...box.env, PATH: `${bin}:${box.env.PATH}` } });
    expect(onPath.exitCode).toBe(0);
    expect(historyOf(box.stateDir, 'tial')).toMatchObject([{ exit: 0 }]);
    const explicit = await cronwrap(['--', 'stauts'], box);
    expect(explicit.exitCode).toBe(127);
    expect(historyOf(box.stateDir, 'stauts')).toMatchObject([{ exit: 127 }]);
  });
});
