// Start-up probe: the same as spawn-true-child-process.ts, through execa.
import { execa } from 'execa';

void execa('true', { stdio: 'inherit', reject: false }).then((result) => {
  process.exitCode = result.exitCode ?? 1;
});
