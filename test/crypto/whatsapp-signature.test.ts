/**
 * The `X-Hub-Signature-256` check (src/delivery/whatsapp-signature.ts) at its edges: the exact
 * header shape (`sha256=` and 64 hex digits, either case, nothing around it), an empty or
 * non-string secret never validates (an empty HMAC key is one anyone can use), and with a
 * list of secrets any one of them validates, wherever it stands. The expected signature is
 * computed here with node:crypto, inside each test.
 */
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  validateWhatsAppSignature,
  whatsappSignature,
} from '../../src/delivery/whatsapp-signature';

const BODY = '{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[]}]}';
const meta = (secret: string, body: string | Uint8Array = BODY) =>
  `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
const valid = (appSecret: string | readonly string[], signature: unknown, body = BODY) =>
  validateWhatsAppSignature({ appSecret, signature: signature as string, body });

describe('X-Hub-Signature-256 edges', () => {
  it("computes Meta's value: sha256= and the lower-case hex HMAC of the raw bytes", () => {
    expect(whatsappSignature('app-secret', BODY)).toBe(meta('app-secret'));
    const bytes = new TextEncoder().encode('caf\u00e9');
    expect(whatsappSignature('app-secret', bytes)).toBe(meta('app-secret', bytes));
    expect(valid('app-secret', meta('app-secret'))).toBe(true);
  });

  it('accepts the hex digits in upper case', () => {
    const sig = meta('app-secret');
    expect(valid('app-secret', `sha256=${sig.slice(7).toUpperCase()}`)).toBe(true);
  });

  it('refuses any other shape of header, and a value that is not a string', () => {
    const sig = meta('app-secret');
    const hex = sig.slice(7);
    for (const bad of [
      undefined,
      null,
      42,
      // A repeated header handed over as a list: refused, not thrown on.
      [sig],
      '',
      hex,
      `SHA256=${hex}`,
      `sha1=${hex}`,
      `sha256:${hex}`,
      ` ${sig}`,
      `${sig} `,
      `${sig}\n`,
      `${sig}0`,
      `x${sig}`,
      `sha256=${hex.slice(0, 63)}`,
      `sha256=${hex.slice(0, 63)}g`,
      `sha256=${hex}${hex}`,
    ]) {
      expect(valid('app-secret', bad), JSON.stringify(bad)).toBe(false);
    }
  });

  it('never validates under an empty secret, alone or in a list', () => {
    expect(valid('', meta(''))).toBe(false);
    expect(valid(['', 'app-secret'], meta(''))).toBe(false);
    expect(valid(['', 'app-secret'], meta('app-secret'))).toBe(true);
    expect(valid([], meta(''))).toBe(false);
    expect(valid([5 as unknown as string, 'app-secret'], meta('app-secret'))).toBe(true);
  });

  it('with several secrets, any one validates wherever it stands; none other does', () => {
    const sig = meta('new-secret');
    expect(valid(['new-secret', 'old-secret'], sig)).toBe(true);
    expect(valid(['old-secret', 'new-secret'], sig)).toBe(true);
    expect(valid(['old-secret', 'new-secret', 'older'], sig)).toBe(true);
    expect(valid(['old-secret', 'older'], sig)).toBe(false);
  });
});
