/** A URL's `user:password@` taken out, to be sent as HTTP basic auth: fetch refuses a URL that holds them. */
export interface Credentials {
  /** The URL without user and password. */
  url: URL;
  /** `Basic <base64>` of `user:password` as curl sends it (percent-escapes decoded), if the URL named a user. */
  authorization?: string;
  /** What of this must never be shown: the password as written and decoded, and the header's value. */
  secrets: string[];
}

function decoded(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}

/** Splits the credentials off a URL (RFC 7617 basic auth, the user name and password as UTF-8). */
export function splitCredentials(url: URL): Credentials {
  if (!url.username && !url.password) return { url, secrets: [] };
  const bare = new URL(url.href);
  bare.username = '';
  bare.password = '';
  const token = Buffer.from(`${decoded(url.username)}:${decoded(url.password)}`, 'utf8').toString('base64');
  return { url: bare, authorization: `Basic ${token}`, secrets: [url.password, decoded(url.password), token] };
}

/** Whether a URL carries a user name or password (which cronwrap sends as basic auth). */
export function hasCredentials(url: string): boolean {
  try {
    const { username, password } = new URL(url);
    return Boolean(username || password);
  } catch {
    return false;
  }
}
