import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { makeDirs } from '../util/make-dirs.js';
import { join } from 'node:path';
import type { Notice } from './notice.js';
import type { PagerDutyAction } from './pagerduty.js';

/**
 * An alert that could not be delivered, kept in `<state>/spool/<channel>/` until a later run (or
 * `cronwrap flush`) delivers it. It holds no secret: credentials are read again when it is re-sent, and a
 * webhook is named by a hash of its URL, not the URL.
 */
export type KeptAlert =
  /** email: the recipients at the time. */
  | { channel: 'email'; notice: Notice; to: string[]; keptAt: string }
  /** pagerduty: the event to send, and its incident key. */
  | { channel: 'pagerduty'; notice: Notice; action: PagerDutyAction; dedupKey: string; keptAt: string }
  /** A webhook, named by a hash of its URL. */
  | { channel: `webhook-${string}`; notice: Notice; keptAt: string };

export interface KeptFile {
  file: string;
  alert: KeptAlert;
}

function spoolDir(stateDir: string): string {
  return join(stateDir, 'spool');
}

/** Keeps an alert, unless the same notice is already kept for the channel. Names sort in the order kept. */
export function keepAlert(stateDir: string, alert: KeptAlert, now: number): void {
  const dir = join(spoolDir(stateDir), alert.channel);
  makeDirs(dir, 0o700);
  const suffix = `-${alert.notice.id}-${alert.channel === 'pagerduty' ? alert.action : 'send'}.json`;
  if (readdirSync(dir).some((name) => name.endsWith(suffix))) return;
  writeFileSync(join(dir, `${String(now).padStart(15, '0')}${suffix}`), `${JSON.stringify(alert)}\n`, { mode: 0o600, flag: 'wx' });
}

/** The kept alerts of every channel, oldest first within each. */
export function keptAlerts(stateDir: string): Map<string, KeptFile[]> {
  const byChannel = new Map<string, KeptFile[]>();
  let channels: string[];
  try {
    channels = readdirSync(spoolDir(stateDir));
  } catch {
    return byChannel;
  }
  for (const channel of channels) {
    const dir = join(spoolDir(stateDir), channel);
    const files: KeptFile[] = [];
    for (const name of readdirSync(dir).filter((n) => n.endsWith('.json')).sort()) {
      try {
        files.push({ file: join(dir, name), alert: JSON.parse(readFileSync(join(dir, name), 'utf8')) as KeptAlert });
      } catch {
        // being written or damaged: leave it for a later look
      }
    }
    if (files.length > 0) byChannel.set(channel, files);
  }
  return byChannel;
}

export function dropKept(file: string): void {
  rmSync(file, { force: true });
}

