// In tests that run cronwrap in-process, src/remote/load.ts (which reads dist/remote.cjs,
// dist/schedule.cjs and dist/silences.cjs beside the bundle) is swapped for this (vitest.config.mts), as the single-file build
// swaps in load-inline.ts.
import * as remote from '../../src/remote/index.js';
import * as schedule from '../../src/remote/schedule.js';
import * as silences from '../../src/remote/silences.js';

export function loadRemote(): typeof remote {
  return remote;
}

export function loadSchedule(): typeof schedule {
  return schedule;
}

export function loadSilences(): typeof silences {
  return silences;
}
