import { loadConfig, type ConfigEntry } from '../config/config-file.js';
import { configKey, OPTIONS } from '../config/options.js';
import type { Resolved } from '../config/resolve.js';
import { readableByOthers } from '../config/secrets.js';
import { hasCredentials } from '../net/url-credentials.js';

/** An http(s) URL setting's values with where each was written: the effective one and every `[jobs.NAME]` one. */
function urlValues(resolved: Resolved): { key: string; url: string; origin: string; tokenUrl: boolean }[] {
  const jobs = [...loadConfig(resolved.settings.config, false).jobs.values()];
  return OPTIONS.filter((spec) => spec.type.url).flatMap((spec) => {
    const entries: ConfigEntry<unknown>[] = [
      { value: resolved.settings[spec.key], origin: resolved.origins[spec.key] },
      ...jobs.flatMap((layer) => layer.get(spec.key) ?? []),
    ];
    return entries.flatMap(({ value, origin }) =>
      [value].flat().flatMap((url) => (typeof url === 'string' && /^https?:/i.test(url) ? [{ key: configKey(spec) ?? spec.key, url, origin, tokenUrl: spec.tokenUrl === true }] : [])),
    );
  });
}

/**
 * What `config check` says of a URL that holds a secret. One with `user:password@`: it is sent as HTTP basic
 * auth (as curl sends it) and never shown, and where the password is exposed: on plain http://, or in a
 * file other users can read. A webhook or ping URL (or any with a query) in a file other users can read:
 * its path or query may be its token.
 */
export function urlSecretNotes(resolved: Resolved): string[] {
  const config = resolved.settings.config;
  return urlValues(resolved).flatMap(({ key, url, origin, tokenUrl }) => {
    const inReadableFile = origin.startsWith(`${config}:`) && readableByOthers(config);
    if (!hasCredentials(url)) {
      const tokenLike = tokenUrl || url.includes('?');
      return tokenLike && inReadableFile
        ? [`${origin}: ${key}: other users can read this file, and the URL's path or query may be its token (a Slack webhook, a ping's UUID): whoever reads it can post to it, or ping success for a job that never ran; chmod o-r ${config}`]
        : [];
    }
    const cleartext = url.toLowerCase().startsWith('http:') ? '; over http:// they cross the network readable by anyone on the way: use https://' : '';
    const exposed = inReadableFile ? `; other users can read them in this file: chmod o-r ${config}` : '';
    return [`${origin}: ${key}: the URL holds a user and password: cronwrap sends them as HTTP basic auth (an Authorization header, as curl does) and never shows them${cleartext}${exposed}`];
  });
}
