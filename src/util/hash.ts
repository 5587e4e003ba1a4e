/** FNV-1a, 32 bits: a fixed, well-spread number for a string, without loading node:crypto at start-up. */
export function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (const byte of Buffer.from(text)) hash = Math.imul(hash ^ byte, 0x01000193) >>> 0;
  return hash;
}
