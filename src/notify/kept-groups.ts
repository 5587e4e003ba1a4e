import { channelOfSpool } from './alert-channels.js';
import type { KeptAlert } from './channel.js';
import { keptAlerts, keptCounts } from './spool.js';

/** Kept alerts of one spool that go to one place. */
export interface KeptGroup {
  /** The spool (`email`, `pagerduty`, `webhook-<hash>`). */
  channel: string;
  /** Where they go, as the operator wrote it (its channel's words). */
  destination: string;
  count: number;
}

/** What the spool holds, by where it goes, for `flush` to say what still waits; damaged files met, moved aside (under `now`). */
export function keptGroups(stateDir: string, now: number): { groups: KeptGroup[]; damaged: string[] } {
  const groups = new Map<string, KeptGroup>();
  const damaged: string[] = [];
  for (const channel of keptCounts(stateDir).keys()) {
    // A directory no channel makes holds nothing root sends: each file in it is moved aside.
    const owner = channelOfSpool(channel);
    const read = keptAlerts(stateDir, channel, owner ? owner.isKept : (value): value is KeptAlert => false, now);
    damaged.push(...read.damaged);
    for (const { alert } of read.kept) {
      const destination = owner ? owner.destination(alert) : channel;
      const group = groups.get(`${channel}\n${destination}`) ?? { channel, destination, count: 0 };
      group.count += 1;
      groups.set(`${channel}\n${destination}`, group);
    }
  }
  return { groups: [...groups.values()], damaged };
}
