import { destinationOf } from './destination.js';
import { keptAlerts, keptCounts } from './spool.js';

/** Kept alerts of one spool that go to one place. */
export interface KeptGroup {
  /** The spool (`email`, `pagerduty`, `webhook-<hash>`). */
  channel: string;
  /** Where they go, as the operator wrote it (destination.ts). */
  destination: string;
  count: number;
}

/** What the spool holds, by where it goes, for `flush` to say what still waits. */
export function keptGroups(stateDir: string): KeptGroup[] {
  const groups = new Map<string, KeptGroup>();
  for (const channel of keptCounts(stateDir).keys()) {
    for (const { alert } of keptAlerts(stateDir, channel).kept) {
      const destination = destinationOf(alert);
      const group = groups.get(`${channel}\n${destination}`) ?? { channel, destination, count: 0 };
      group.count += 1;
      groups.set(`${channel}\n${destination}`, group);
    }
  }
  return [...groups.values()];
}
