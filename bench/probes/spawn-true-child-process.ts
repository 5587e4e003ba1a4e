// Start-up probe: a bundled entry that spawns `true` with node:child_process and exits with its status.
import { spawn } from 'node:child_process';

spawn('true', [], { stdio: 'inherit' }).on('exit', (code) => {
  process.exitCode = code ?? 1;
});
