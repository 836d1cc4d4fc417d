/**
 * Unsealing text that is not base64 at all (a character outside the alphabet, such as a
 * value from another format or a tampered cookie) answers "not a sealed value" like any other
 * refused blob: undefined, never an exception, for every kind and with every option.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { keyring, SEAL_KINDS, seal, unseal, unsealBytes } from '../../src/secrets';

const A = 'secrets-unseal-input-secret-A-0123456789';

describe('unseal of text that is not base64', () => {
  it('is undefined (no exception) for every kind and option', () => {
    const ring = keyring(A);
    const sealed = seal(ring, 'phone-number', '+12133734253', randomBytes(12));
    const notBase64 = [
      `${sealed}!`,
      `v1.${sealed}`,
      '%%%',
      `${sealed.slice(0, 10)}é${sealed.slice(10)}`,
    ];
    for (const kind of SEAL_KINDS) {
      for (const text of notBase64) {
        for (const options of [{}, { legacy: true }, { currentOnly: true }, { bound: 'x' }]) {
          expect(unseal(ring, kind, text, options)).toBeUndefined();
          expect(unsealBytes(ring, kind, text, options)).toBeUndefined();
        }
      }
    }
    // The value itself still opens: only the foreign character makes it unreadable.
    expect(unseal(ring, 'phone-number', sealed)).toBe('+12133734253');
  });
});
