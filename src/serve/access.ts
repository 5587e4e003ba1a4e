import type { IncomingHttpHeaders } from 'node:http';

/** Addresses only this host can reach: the server needs no token there. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);
}

/** Compares in time that depends on the lengths only, so the token cannot be guessed byte by byte. */
export function tokensMatch(given: string, token: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  let difference = a.length ^ b.length;
  for (let i = 0; i < b.length; i++) difference |= (a[i] ?? 0) ^ b[i]!;
  return difference === 0;
}

export const TOKEN_COOKIE = 'cronwrap_token';

/** The token a request carries: `Authorization: Bearer …` (tools) or the cookie the page's first visit set (as is: tokens are not encoded). */
export function requestToken(headers: IncomingHttpHeaders): string | undefined {
  const bearer = /^Bearer\s+(\S+)$/i.exec(headers.authorization ?? '');
  if (bearer) return bearer[1];
  for (const pair of (headers.cookie ?? '').split(';')) {
    const [name, ...value] = pair.trim().split('=');
    if (name === TOKEN_COOKIE) return value.join('=');
  }
  return undefined;
}
