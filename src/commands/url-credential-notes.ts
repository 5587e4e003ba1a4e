import { loadConfig, type ConfigEntry } from '../config/config-file.js';
import { configKey, OPTIONS } from '../config/options.js';
import type { Resolved } from '../config/resolve.js';
import { readableByOthers } from '../config/secrets.js';
import { hasCredentials } from '../net/url-credentials.js';

/** An http(s) URL setting's values with where each was written: the effective one and every `[jobs.NAME]` one. */
function urlValues(resolved: Resolved): { key: string; url: string; origin: string }[] {
  const jobs = [...loadConfig(resolved.settings.config, false).jobs.values()];
  return OPTIONS.filter((spec) => spec.type.url).flatMap((spec) => {
    const entries: ConfigEntry<unknown>[] = [
      { value: resolved.settings[spec.key], origin: resolved.origins[spec.key] },
      ...jobs.flatMap((layer) => (layer.get(spec.key) as ConfigEntry<unknown> | undefined) ?? []),
    ];
    return entries.flatMap(({ value, origin }) =>
      [value].flat().flatMap((url) => (typeof url === 'string' && /^https?:/i.test(url) ? [{ key: configKey(spec) ?? spec.key, url, origin }] : [])),
    );
  });
}

/**
 * What `config check` says of a URL with `user:password@`: it is sent as HTTP basic auth (as curl sends it)
 * and never shown, and where the password is exposed: on plain http://, or in a file other users can read.
 */
export function credentialNotes(resolved: Resolved): string[] {
  const config = resolved.settings.config;
  return urlValues(resolved)
    .filter(({ url }) => hasCredentials(url))
    .map(({ key, url, origin }) => {
      const cleartext = url.toLowerCase().startsWith('http:') ? '; over http:// they cross the network readable by anyone on the way: use https://' : '';
      const exposed = origin.startsWith(`${config}:`) && readableByOthers(config) ? `; other users can read them in this file: chmod o-r ${config}` : '';
      return `${origin}: ${key}: the URL holds a user and password: cronwrap sends them as HTTP basic auth (an Authorization header, as curl does) and never shows them${cleartext}${exposed}`;
    });
}
