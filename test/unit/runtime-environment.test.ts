import { describe, expect, it } from 'vitest';
import { shedNodeSwitches } from '../../src/util/runtime-environment.js';

/** Runs shedNodeSwitches on `env`; returns what it restarted with (if it did) and the NODE_* variables `env` has then. */
function shed(env: NodeJS.ProcessEnv) {
  let restartedWith: NodeJS.ProcessEnv | undefined;
  shedNodeSwitches(env, (clean) => {
    restartedWith = clean;
  });
  const handed = Object.fromEntries(Object.entries(env).filter(([name]) => /^NODE_(DEBUG|V8_COVERAGE|ICU_DATA)$/.test(name)));
  return { restartedWith, handed };
}

describe('the executable sheds the NODE_* switches of its environment', () => {
  it('restarts without code or debugging switches, carrying them for the job', () => {
    const { restartedWith } = shed({ PATH: '/bin', NODE_DEBUG: 'http', NODE_V8_COVERAGE: '/tmp/x', NODE_ENV: 'production', NODE_OPTIONS: '--require x' });
    expect(restartedWith).toBeDefined();
    expect(restartedWith!.NODE_DEBUG).toBeUndefined();
    expect(restartedWith!.NODE_V8_COVERAGE).toBeUndefined();
    // Configuration stays; NODE_OPTIONS is not read by the executable at all (execArgvExtension "none").
    expect(restartedWith).toMatchObject({ PATH: '/bin', NODE_ENV: 'production', NODE_OPTIONS: '--require x' });
    const restarted = shed(restartedWith!);
    expect(restarted.restartedWith).toBeUndefined();
    expect(restarted.handed).toEqual({ NODE_DEBUG: 'http', NODE_V8_COVERAGE: '/tmp/x' });
  });

  it('does not restart when nothing is to be shed', () => {
    expect(shed({ PATH: '/bin', NODE_EXTRA_CA_CERTS: '/etc/ssl/ca.pem', NODE_ENV: 'x' })).toEqual({ restartedWith: undefined, handed: {} });
  });

  it('trusts only NODE_* names with text values from what it carried', () => {
    const env: NodeJS.ProcessEnv = { CRONWRAP_SHED_NODE_VARIABLES: JSON.stringify({ NODE_DEBUG: 'net', LD_PRELOAD: '/tmp/evil.so', NODE_ENV: 'x', NODE_ICU_DATA: 3 }) };
    expect(shed(env).handed).toEqual({ NODE_DEBUG: 'net' });
    expect(env).toEqual({ NODE_DEBUG: 'net' }); // and nothing else: not LD_PRELOAD, not the carrier

    expect(shed({ CRONWRAP_SHED_NODE_VARIABLES: 'not json' }).handed).toEqual({});
  });
});
