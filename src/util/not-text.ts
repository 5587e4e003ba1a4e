import { isUtf8 } from 'node:buffer';

/**
 * By the byte that leads a sequence: how many bytes the sequence takes (0: no valid sequence starts with
 * it), and the range its second byte must be in (RFC 3629: no overlong forms, no UTF-16 surrogates, nothing
 * past U+10FFFF). Tables, so the loop below allocates nothing.
 */
const LENGTH = new Uint8Array(256);
const LOW = new Uint8Array(256);
const HIGH = new Uint8Array(256);
function lead(from: number, to: number, length: number, low: number, high: number): void {
  for (let byte = from; byte <= to; byte++) [LENGTH[byte], LOW[byte], HIGH[byte]] = [length, low, high];
}
lead(0xc2, 0xdf, 2, 0x80, 0xbf);
lead(0xe0, 0xe0, 3, 0xa0, 0xbf);
lead(0xe1, 0xec, 3, 0x80, 0xbf);
lead(0xed, 0xed, 3, 0x80, 0x9f);
lead(0xee, 0xef, 3, 0x80, 0xbf);
lead(0xf0, 0xf0, 4, 0x90, 0xbf);
lead(0xf1, 0xf3, 4, 0x80, 0xbf);
lead(0xf4, 0xf4, 4, 0x80, 0x8f);

const continues = (byte: number | undefined) => byte !== undefined && (byte & 0xc0) === 0x80;

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
    const length = LENGTH[byte]!;
    const second = data[at + 1];
    const whole =
      length > 0 && second !== undefined && second >= LOW[byte]! && second <= HIGH[byte]! && (length < 3 || continues(data[at + 2])) && (length < 4 || continues(data[at + 3]));
    if (whole) at += length;
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
    if (byte >= 0xc0) return data.length - at < LENGTH[byte]! ? at : data.length;
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
