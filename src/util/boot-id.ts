import { readFileSync } from 'node:fs';

const BOOT_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

let cached: string | null | undefined;

/**
 * The kernel's id of this boot (a UUID, new at every boot), or undefined where there is none (no /proc):
 * the monotonic clock's readings of two processes compare only within one boot.
 */
export function bootId(): string | undefined {
  if (cached === undefined) {
    try {
      const text = readFileSync('/proc/sys/kernel/random/boot_id', 'latin1').trim();
      cached = BOOT_ID.test(text) ? text : null;
    } catch {
      cached = null;
    }
  }
  return cached ?? undefined;
}
