import { describe, expect, it } from 'vitest';
import { addresses } from '../../src/config/value-types.js';
import { isMailAddress } from '../../src/util/mail-address.js';

describe('a mail address', () => {
  it.each(['ops@example.com', 'root', 'a.b+tag@mail.example.org', 'x-y@z'])('%s is one', (address) => {
    expect(isMailAddress(address)).toBe(true);
  });

  it.each(['-oQ/tmp', '-f', 'x@-y', '', 'a b@c', 'a@b@c', 'a<b>@c', 'a@b\n', 'a"b@c'])('%j is not', (address) => {
    expect(isMailAddress(address)).toBe(false);
  });

  it('given with a leading -, it is refused naming the key and the fix', () => {
    expect(() => addresses.parse('--mail-to', '-oQ/tmp x@y')).toThrow("--mail-to: '-oQ/tmp' starts with '-', which sendmail would take for an option; give a mail address like ops@example.com or a local name like root");
  });
});
