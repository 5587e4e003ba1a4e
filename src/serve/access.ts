// Who may look: every request carries the server's token (tools) or a pass its `?token=` link gave a browser.
import { createHmac, randomBytes } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

/** Compares in time that depends on the lengths only, so the token cannot be guessed byte by byte. */
export function tokensMatch(given: string, token: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  let difference = a.length ^ b.length;
  for (let i = 0; i < b.length; i++) difference |= (a[i] ?? 0) ^ b[i]!;
  return difference === 0;
}

const MIN_TOKEN_LENGTH = 16;

/** Why a token will not do (too short to be safe from guessing, or not one word), or undefined. */
export function tokenProblem(token: string): string | undefined {
  if (token.length >= MIN_TOKEN_LENGTH && !/\s/.test(token)) return undefined;
  return `the token must be at least ${MIN_TOKEN_LENGTH} characters with no spaces (e.g. openssl rand -hex 24)`;
}

/** A pass lasts this long after its last use; the page, polling every few seconds, renews it while open. */
const PASS_SECONDS = 12 * 3600;

function passMac(token: string, expires: number, id: string): string {
  return createHmac('sha256', token).update(`cronwrap pass ${expires} ${id}`).digest('base64url');
}

/**
 * A browser's pass, `<expires>.<id>.<mac>`: what the cookie holds in place of the token. A browser sends a
 * host's cookies to every port of it (RFC 6265, 8.5), so whatever listens beside the server may get the
 * cookie: it then holds a pass that only this server (its token keys the MAC) takes, that lapses, and never
 * the token. The id tells one browser's live tails from another's.
 */
function issuePass(token: string, now: number, id: string): string {
  const expires = Math.floor(now / 1000) + PASS_SECONDS;
  return `${expires}.${id}.${passMac(token, expires, id)}`;
}

function checkPass(value: string, token: string, now: number): { id: string; expires: number } | undefined {
  const match = /^(\d{1,12})\.([\w-]{1,32})\.([\w-]{1,64})$/.exec(value);
  if (!match) return undefined;
  const expires = Number(match[1]);
  const id = match[2]!;
  if (expires * 1000 <= now || !tokensMatch(match[3]!, passMac(token, expires, id))) return undefined;
  return { id, expires };
}

/**
 * The cookie's name carries the port the browser asked for (`cronwrap_8089`): the views of two hosts
 * tunnelled to two local ports each keep their own pass, and neither reads the other's.
 */
export function cookieName(hostHeader: string | undefined): string {
  const port = /:(\d{1,5})$/.exec(hostHeader ?? '')?.[1];
  return port ? `cronwrap_${port}` : 'cronwrap';
}

function passCookie(name: string, pass: string, secure: boolean): string {
  return `${name}=${pass}; Path=/; Max-Age=${PASS_SECONDS}; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}`;
}

function cookieValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  for (const pair of (headers.cookie ?? '').split(';')) {
    const [key, ...value] = pair.trim().split('=');
    if (key === name) return value.join('=');
  }
  return undefined;
}

/** What to do with a request: let it in (`client` names whose it is, `cookie` renews its pass), sign a browser in, or refuse it. */
export type Admission = { kind: 'in'; client: string; cookie?: string } | { kind: 'sign-in'; location: string; cookie: string } | { kind: 'out' };

export interface Asking {
  headers: IncomingHttpHeaders;
  remoteAddress: string;
  url: URL;
}

/**
 * The first visit with `?token=` gets a pass as a cookie (HttpOnly, SameSite=Strict) and is sent on to the
 * same page without the token, so it leaves the address bar; tools send `Authorization: Bearer <token>`.
 * A Bearer client is told apart by its address, a browser by its pass.
 */
export function admission(asking: Asking, token: string, secure: boolean, now: number): Admission {
  const inQuery = asking.url.searchParams.get('token');
  const name = cookieName(asking.headers.host);
  if (inQuery !== null && tokensMatch(inQuery, token)) {
    const location = new URL(asking.url);
    location.searchParams.delete('token');
    // One leading slash: `//host` (or `/\host`, which URL reads as it) would send the browser to another host.
    return { kind: 'sign-in', location: `/${location.pathname.replace(/^\/+/, '')}${location.search}`, cookie: passCookie(name, issuePass(token, now, randomBytes(9).toString('base64url')), secure) };
  }
  const bearer = /^Bearer\s+(\S+)$/i.exec(asking.headers.authorization ?? '')?.[1];
  if (bearer !== undefined && tokensMatch(bearer, token)) return { kind: 'in', client: `bearer ${asking.remoteAddress}` };
  const cookie = cookieValue(asking.headers, name);
  const pass = cookie === undefined ? undefined : checkPass(cookie, token, now);
  if (!pass) return { kind: 'out' };
  const renew = pass.expires - now / 1000 < PASS_SECONDS / 2;
  return { kind: 'in', client: `pass ${pass.id}`, ...(renew ? { cookie: passCookie(name, issuePass(token, now, pass.id), secure) } : {}) };
}
