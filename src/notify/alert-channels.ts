import type { Settings } from '../config/options.js';
import type { AlertChannel, ChannelContext, KeptAlert } from './channel.js';
import type { Target } from './deliver.js';
import { email } from './email-channel.js';
import { pagerduty } from './pagerduty-channel.js';
import { keptAlerts, keptCounts } from './spool.js';
import { webhook } from './webhook-channel.js';

/** Any channel's descriptor, whatever its destinations and kept alerts. */
export type AnyChannel = AlertChannel<unknown, KeptAlert>;

/**
 * Every alert channel, in the order they are sent to and listed. A new channel is a file of its own (its
 * descriptor, channel.ts), a line here, and its rows in the option table (config/options.ts).
 */
export const CHANNELS: readonly AnyChannel[] = [
  email,
  pagerduty,
  webhook,
];

/** A channel's destinations as targets of deliver.ts; `configs` are all it has this run. */
function targetsOf<C, K extends KeptAlert>(channel: AlertChannel<C, K>, configs: readonly C[]): Target[] {
  return configs.map((config) => {
    const id = channel.spool(config);
    const label = channel.label(config, configs);
    const made = new WeakSet<KeptAlert>();
    // The target is handed back only its own alerts: those it made and those its check read back.
    const own = (alert: KeptAlert): alert is K => made.has(alert) || channel.isKept(alert);
    const { event, kindOf, orderKey, narrowed } = channel;
    return {
      id,
      label,
      alertsFor: (notice, keptAt) => {
        const alerts = channel.alertsFor(notice, config, id, keptAt);
        for (const alert of alerts) made.add(alert);
        return alerts;
      },
      send: async (alert, attempts, budget) =>
        own(alert) ? channel.send(alert, config, budget, attempts) : { ok: false, attempts: 0, error: `${label}: not an alert of this channel`, retryable: false },
      isKept: channel.isKept,
      destination: (alert) => (own(alert) ? channel.destination(alert, label) : label),
      problem: channel.problem?.(config),
      ...(event ? { event: (alert: KeptAlert) => (own(alert) ? event(alert) : 'send') } : {}),
      ...(kindOf ? { kindOf: (alert: KeptAlert) => (own(alert) ? kindOf(alert) : alert.notice.kind) } : {}),
      ...(orderKey ? { orderKey: (alert: KeptAlert) => (own(alert) ? orderKey(alert) : undefined) } : {}),
      ...(narrowed ? { narrowed: (alert: KeptAlert, delivery) => (own(alert) ? narrowed(alert, delivery) : alert) } : {}),
    };
  });
}

/** The places the settings send alerts to this run, every channel's, credentials read. */
export function targetsFor(settings: Settings, context: ChannelContext): Target[] {
  return CHANNELS.flatMap((channel) => targetsOf(channel, channel.configure(settings, context)));
}

/** The channel whose spool directory this is; none for a directory no channel makes. */
export function channelOfSpool(spool: string): AnyChannel | undefined {
  return CHANNELS.find((channel) => channel.ownsSpool(spool));
}

/**
 * `cronwrap flush`: the spools no target of `configured` covers whose kept alerts carry their destination (a
 * `--webhook` on a job's line), each sent to it. Alerts kept before they carried it have no target. A damaged
 * one is moved aside under `now`.
 */
export function keptTargets(stateDir: string, configured: readonly Target[], now: number): { targets: Target[]; damaged: string[] } {
  const covered = new Set(configured.map((target) => target.id));
  const targets: Target[] = [];
  const damaged: string[] = [];
  for (const spool of keptCounts(stateDir).keys()) {
    const channel = channelOfSpool(spool);
    if (!channel?.fromKept || covered.has(spool)) continue;
    const read = keptAlerts(stateDir, spool, channel.isKept, now);
    damaged.push(...read.damaged);
    const config = read.kept.map(({ alert }) => channel.fromKept?.(alert)).find((found) => found !== undefined);
    if (config !== undefined) targets.push(...targetsOf(channel, [config]));
  }
  return { targets, damaged };
}

/** What `test-alert` asks for when no channel is configured: every channel's settings. */
export function channelSetup(): string {
  const setups = CHANNELS.map((channel) => channel.setup);
  return setups.length > 1 ? `${setups.slice(0, -1).join(', ')}, or ${setups.at(-1)}` : (setups[0] ?? '');
}
