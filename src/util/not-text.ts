import { isUtf8 } from 'node:buffer';

/** The bytes a valid UTF-8 sequence led by `lead` takes (0: no sequence starts with it), and its second byte's range. */
function sequenceOf(lead: number): { length: number; low: number; high: number } {
  if (lead >= 0xc2 && lead <= 0xdf) return { length: 2, low: 0x80, high: 0xbf };
  if (lead === 0xe0) return { length: 3, low: 0xa0, high: 0xbf };
  if (lead === 0xed) return { length: 3, low: 0x80, high: 0x9f }; // no UTF-16 surrogates
  if (lead >= 0xe1 && lead <= 0xef) return { length: 3, low: 0x80, high: 0xbf };
  if (lead === 0xf0) return { length: 4, low: 0x90, high: 0xbf };
  if (lead >= 0xf1 && lead <= 0xf3) return { length: 4, low: 0x80, high: 0xbf };
  if (lead === 0xf4) return { length: 4, low: 0x80, high: 0x8f }; // nothing past U+10FFFF
  return { length: 0, low: 0, high: 0 };
}

/** Whether a whole sequence of `length` bytes starts at `at`. */
function wholeSequenceAt(data: Buffer, at: number, length: number, low: number, high: number): boolean {
  if (at + length > data.length) return false;
  const second = data[at + 1]!;
  if (second < low || second > high) return false;
  for (let i = at + 2; i < at + length; i++) if ((data[i]! & 0xc0) !== 0x80) return false;
  return true;
}

/** The NUL bytes and the bytes that are no part of a valid UTF-8 sequence in `data`. */
export function countNotText(data: Buffer): number {
  let count = 0;
  for (let at = 0; at < data.length; ) {
    const byte = data[at]!;
    if (byte < 0x80) {
      if (byte === 0) count++;
      at++;
      continue;
    }
    const { length, low, high } = sequenceOf(byte);
    if (length > 0 && wholeSequenceAt(data, at, length, low, high)) at += length;
    else {
      count++;
      at++;
    }
  }
  return count;
}

/** Where a multi-byte sequence cut off by the end of `data` begins (data.length when none is). */
function cutSequenceStart(data: Buffer): number {
  for (let at = data.length - 1; at >= Math.max(0, data.length - 3); at--) {
    const byte = data[at]!;
    if (byte < 0x80) return data.length;
    if (byte >= 0xc0) return data.length - at < sequenceOf(byte).length ? at : data.length;
  }
  return data.length;
}

/**
 * Counts the bytes of a stream that are not text: NUL, and bytes of no valid UTF-8 sequence (binary data,
 * another encoding). Reads may cut a character in two, so a cut sequence waits for the next read. The
 * usual read, all text, costs two native scans (isUtf8, indexOf).
 */
export class NotTextCounter {
  private carry: Buffer | undefined;

  /** The bytes of this read (and any cut sequence before it) that are not text. */
  push(chunk: Buffer): number {
    const data = this.carry ? Buffer.concat([this.carry, chunk]) : chunk;
    const cut = cutSequenceStart(data);
    this.carry = cut < data.length ? Buffer.from(data.subarray(cut)) : undefined;
    const whole = data.subarray(0, cut);
    return isUtf8(whole) && whole.indexOf(0) === -1 ? 0 : countNotText(whole);
  }

  /** The stream ended: a sequence still cut off is not text. */
  end(): number {
    const left = this.carry?.length ?? 0;
    this.carry = undefined;
    return left;
  }
}
